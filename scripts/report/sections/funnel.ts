import { formatInteger, formatPercent } from "../format";
import { figureRow, table, type Column, type Section } from "../html";
import { barSpec, type Datum } from "../charts/specs";
import {
  byKnownOrder,
  martRows,
  num,
  text,
  USER_TYPES,
  type Row,
  type SectionContext,
  notInSourceSection,
} from "./common";

/** The five funnel steps, in order, with the mart's session-count column for each. */
export const FUNNEL_STEP_COLUMNS = [
  { step: "view", column: "view_sessions" },
  { step: "click", column: "click_sessions" },
  { step: "add_to_cart", column: "add_to_cart_sessions" },
  { step: "checkout", column: "checkout_sessions" },
  { step: "purchase", column: "purchase_sessions" },
] as const;

/** Session counts of one device x user type group, summed over days and promo flags. */
export interface FunnelTotals {
  readonly device: string;
  readonly userType: string;
  readonly sessions: number;
  /** Sessions reaching each step, in `FUNNEL_STEP_COLUMNS` order. */
  readonly steps: readonly number[];
}

const rate = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

/** Adds groups' counts together (for the 'All' rows): rates are recomputed from the sums. */
export function sumFunnel(
  groups: readonly FunnelTotals[],
  device: string,
  userType: string,
): FunnelTotals {
  return {
    device,
    userType,
    sessions: groups.reduce((n, g) => n + g.sessions, 0),
    steps: FUNNEL_STEP_COLUMNS.map((_, i) => groups.reduce((n, g) => n + (g.steps[i] ?? 0), 0)),
  };
}

const stepRate = (from: number, header: string): Column<FunnelTotals> => ({
  header,
  key: `${FUNNEL_STEP_COLUMNS[from]!.step}_to_${FUNNEL_STEP_COLUMNS[from + 1]!.step}_rate`,
  numeric: true,
  text: (g) => formatPercent(rate(g.steps[from + 1] ?? 0, g.steps[from] ?? 0)),
});

const COLUMNS: readonly Column<FunnelTotals>[] = [
  { header: "Device", key: "device", text: (g) => g.device },
  { header: "User type", key: "user_type", text: (g) => g.userType },
  { header: "Sessions", key: "sessions", numeric: true, text: (g) => formatInteger(g.sessions) },
  {
    // Not every visit opens a product page, so the first step has a rate too.
    header: "Session → view",
    key: "session_to_view_rate",
    numeric: true,
    text: (g) => formatPercent(rate(g.steps[0] ?? 0, g.sessions)),
  },
  stepRate(0, "View → click"),
  stepRate(1, "Click → cart"),
  stepRate(2, "Cart → checkout"),
  stepRate(3, "Checkout → purchase"),
  {
    header: "Session conversion",
    key: "session_conversion_rate",
    numeric: true,
    text: (g) => formatPercent(rate(g.steps[4] ?? 0, g.sessions), 2),
  },
];

/** What the section is, also when the source cannot fill it. */
const SECTION = {
  id: "funnel",
  title: "Funnel",
  what: "Of the sessions that reach each step, the share that reach the next one (view → click → add_to_cart → checkout → purchase), summed over all days; the view bar's drop-off is the sessions that open no product page.",
  grain:
    "one row per device x user type (the mart's day x device x user type x promo rows summed), with 'All' rollups",
};

const TOTALS_SQL =
  `select\n    device,\n    user_type,\n    sum(sessions) as sessions,\n    ` +
  FUNNEL_STEP_COLUMNS.map((s) => `sum(${s.column}) as ${s.column}`).join(",\n    ") +
  "\nfrom marts.dm_funnel_daily\ngroup by device, user_type";

/** Step-to-step funnel conversion by device and user type, over the whole observed period. */
export async function funnelSection(context: SectionContext): Promise<Section> {
  const absent = notInSourceSection(context, SECTION, ["dm_funnel_daily"]);
  if (absent) return absent;
  const rows = await martRows(context, TOTALS_SQL);
  const groups: FunnelTotals[] = rows.map((r: Row) => ({
    device: text(r, "device"),
    userType: text(r, "user_type"),
    sessions: num(r, "sessions") ?? 0,
    steps: FUNNEL_STEP_COLUMNS.map((s) => num(r, s.column) ?? 0),
  }));
  const devices = [...new Set(groups.map((g) => g.device))].sort();
  const shown: FunnelTotals[] = [sumFunnel(groups, "All", "All")];
  for (const device of devices) {
    const ofDevice = groups.filter((g) => g.device === device);
    shown.push(
      sumFunnel(ofDevice, device, "All"),
      ...byKnownOrder(ofDevice, (g) => g.userType, USER_TYPES),
    );
  }
  const total = shown[0]!;
  const steps: Datum[] = FUNNEL_STEP_COLUMNS.map((st, i) => {
    const reached = total.steps[i] ?? 0;
    const previous = i === 0 ? total.sessions : (total.steps[i - 1] ?? 0);
    const dropOff = previous > 0 ? 1 - reached / previous : null;
    return {
      step: st.step,
      sessions: reached,
      label: `${formatInteger(reached)}  (−${formatPercent(dropOff, 0)})`,
      tip:
        `${st.step}: ${formatInteger(reached)} sessions; ` +
        (i === 0
          ? `${formatPercent(dropOff)} of all ${formatInteger(total.sessions)} sessions open no product page`
          : `${formatPercent(dropOff)} of the ${FUNNEL_STEP_COLUMNS[i - 1]!.step} sessions drop off here`),
    };
  });
  const stepOrder = FUNNEL_STEP_COLUMNS.map((st) => st.step);
  const sessionsChart = context.charts.add(
    "Sessions reaching each step, and the drop-off from the step before",
    barSpec({
      data: steps,
      category: { field: "step", title: null, sort: stepOrder },
      value: { field: "sessions", title: "Sessions", format: ",.0f" },
      label: "label",
      width: 330,
    }),
  );
  const transitions = FUNNEL_STEP_COLUMNS.slice(1).map(
    (st, i) => `${FUNNEL_STEP_COLUMNS[i]!.step} → ${st.step}`,
  );
  const rateData = (groupsShown: readonly FunnelTotals[], field: "device" | "userType"): Datum[] =>
    groupsShown.flatMap((g) =>
      transitions.map((t, i) => {
        const r = rate(g.steps[i + 1] ?? 0, g.steps[i] ?? 0);
        return {
          transition: t,
          group: g[field],
          rate: r,
          tip: `${field === "device" ? g.device : `type ${g.userType}`}, ${t}: ${formatPercent(r)} continue (${formatPercent(r === null ? null : 1 - r)} drop off)`,
        };
      }),
    );
  const byType = USER_TYPES.filter((t) => t !== "All").map((t) =>
    sumFunnel(
      groups.filter((g) => g.userType === t),
      "All",
      t,
    ),
  );
  const byDevice = devices.map((d) =>
    sumFunnel(
      groups.filter((g) => g.device === d),
      d,
      "All",
    ),
  );
  const rateChart = (title: string, data: Datum[], family: "user_type" | "device") =>
    context.charts.add(
      title,
      barSpec({
        data,
        category: { field: "transition", title: null, sort: transitions },
        value: { field: "rate", title: "Continue to the next step", format: ".0%" },
        colour: { field: "group", family },
        offset: "group",
        width: 420,
      }),
    );
  return {
    ...SECTION,
    sources: ["marts.dm_funnel_daily"],
    rows: groups.length,
    body:
      figureRow(
        sessionsChart,
        rateChart("Step conversion by user type", rateData(byType, "userType"), "user_type"),
        rateChart("Step conversion by device", rateData(byDevice, "device"), "device"),
      ) + table(COLUMNS, shown),
  };
}

funnelSection.queries = [TOTALS_SQL];
