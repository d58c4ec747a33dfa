import type { Datum } from "../charts/specs";
import { formatInteger, formatPercent } from "../format";
import { figureRow, paragraph, table, type Column, type Section } from "../html";
import { martRows, num, text, type SectionContext, notInSourceSection } from "./common";
import { MART_PARAMETERS as P } from "../../../functions/src/marts/martParameters";

/**
 * A cell is shaded only when its rate rests on enough users: at least this many observed, and at
 * least this share of the cohort (a recent cohort's later periods are observed for a handful of
 * early signups only, and 90 of 121 would otherwise shade darkest).
 */
export const MIN_OBSERVED_USERS = 30;
export const MIN_OBSERVED_SHARE = 0.5;

/** The fill of a cell that is not shaded. */
export const UNSHADED = "#dde2e7";

/** One cohort x period cell of the heatmap. */
export interface CohortCell {
  readonly cohort: string;
  readonly offset: number;
  readonly cohortUsers: number;
  readonly observedUsers: number;
  readonly activeUsers: number;
  readonly rate: number | null;
}

/** Whether a cell's rate is shown in colour (enough of the cohort observed in that period). */
export function isShaded(cell: Pick<CohortCell, "cohortUsers" | "observedUsers">): boolean {
  return (
    cell.observedUsers >= MIN_OBSERVED_USERS &&
    cell.observedUsers >= MIN_OBSERVED_SHARE * cell.cohortUsers
  );
}

/** The mart's monthly rows as cells, oldest cohort first. */
export function cohortCells(rows: readonly Record<string, unknown>[]): CohortCell[] {
  return rows
    .map((r) => ({
      cohort: text(r, "cohort_start").slice(0, 7),
      offset: num(r, "period_offset") ?? 0,
      cohortUsers: num(r, "cohort_users") ?? 0,
      observedUsers: num(r, "observed_users") ?? 0,
      activeUsers: num(r, "active_users") ?? 0,
      rate: num(r, "retention_rate"),
    }))
    .sort((a, b) => a.cohort.localeCompare(b.cohort) || a.offset - b.offset);
}

interface CohortSummary {
  readonly cohort: string;
  readonly users: number;
  readonly retention90d: number | null;
  readonly retention180d: number | null;
}

const COLUMNS: readonly Column<CohortSummary>[] = [
  { header: "Cohort", key: "cohort", text: (c) => c.cohort },
  { header: "Users", key: "users", numeric: true, text: (c) => formatInteger(c.users) },
  {
    header: "Retained 90d",
    key: "retention_90d",
    numeric: true,
    text: (c) => formatPercent(c.retention90d),
  },
  {
    header: "Retained 180d",
    key: "retention_180d",
    numeric: true,
    text: (c) => formatPercent(c.retention180d),
  },
];

/** What the section is, also when the source cannot fill it. */
const SECTION = {
  id: "cohort-retention",
  title: "Cohort retention",
  what: `Of each month's signups, the share with a session in period Mk (days ${P.cohort_month_days}k..${P.cohort_month_days}k+${P.cohort_month_days - 1} after their own signup; M0 counts returns from day ${P.cohort_first_return_day}, as every user visits on the signup day). Hover a cell for the users behind it.`,
  grain: "one row per monthly signup cohort x period offset",
};

const COHORTS_SQL =
  "select cohort_start, period_offset, cohort_users, observed_users, active_users,\n" +
  "    retention_rate, retention_90d, retention_180d\n" +
  "from marts.dm_cohort_retention\nwhere cohort_granularity = 'month'";

/** Monthly signup cohorts: the share active in each 30-day period after signup. */
export async function cohortRetentionSection(context: SectionContext): Promise<Section> {
  const absent = notInSourceSection(context, SECTION, ["dm_cohort_retention"]);
  if (absent) return absent;
  const rows = await martRows(context, COHORTS_SQL);
  const cells = cohortCells(rows);
  const data: Datum[] = cells.map((c) => {
    const shaded = isShaded(c);
    return {
      cohort: c.cohort,
      period: `M${c.offset}`,
      offset: c.offset,
      rate: shaded ? c.rate : null,
      label: shaded && c.rate !== null ? formatPercent(c.rate, 0) : "",
      tip:
        `${c.cohort} M${c.offset}: ${formatPercent(c.rate)} active (${formatInteger(c.activeUsers)} of ` +
        `${formatInteger(c.observedUsers)} observed users; cohort ${formatInteger(c.cohortUsers)})` +
        (shaded ? "" : ": too few observed to shade"),
    };
  });
  const periods = [...new Set(cells.map((c) => c.offset))]
    .sort((a, b) => a - b)
    .map((o) => `M${o}`);
  const cohorts = [...new Set(cells.map((c) => c.cohort))];
  const heatmap = context.charts.add(
    "Share of each monthly cohort active in period Mk after signup",
    {
      width: Math.max(300, Math.min(1000, periods.length * 40)),
      height: Math.max(120, cohorts.length * 18),
      data: { values: data },
      encoding: {
        x: {
          field: "period",
          type: "ordinal",
          sort: periods,
          title: "Period after signup (30 days each)",
          axis: { labelAngle: 0 },
        },
        y: { field: "cohort", type: "ordinal", sort: cohorts, title: "Signup month" },
      },
      layer: [
        {
          // Cells resting on too few users: drawn in grey, never on the colour scale.
          transform: [{ filter: "datum.rate === null" }],
          mark: { type: "rect", stroke: "white", strokeWidth: 1, color: UNSHADED },
          encoding: { description: { field: "tip" } },
        },
        {
          transform: [{ filter: "datum.rate !== null" }],
          mark: { type: "rect", stroke: "white", strokeWidth: 1 },
          encoding: {
            color: {
              field: "rate",
              type: "quantitative",
              title: "Active",
              scale: { scheme: "blues", domain: [0, 1] },
              legend: { format: ".0%" },
            },
            description: { field: "tip" },
          },
        },
        {
          mark: { type: "text", fontSize: 10 },
          encoding: {
            text: { field: "label" },
            color: { condition: { test: "datum.rate > 0.5", value: "white" }, value: "#1d2733" },
            description: { field: "tip" },
          },
        },
      ],
    },
  );
  const summaries = new Map<string, CohortSummary>();
  for (const r of rows) {
    const cohort = text(r, "cohort_start").slice(0, 7);
    if (!summaries.has(cohort))
      summaries.set(cohort, {
        cohort,
        users: num(r, "cohort_users") ?? 0,
        retention90d: num(r, "retention_90d"),
        retention180d: num(r, "retention_180d"),
      });
  }
  const summary = [...summaries.values()].sort((a, b) => a.cohort.localeCompare(b.cohort));
  return {
    ...SECTION,
    sources: ["marts.dm_cohort_retention"],
    rows: summary.length,
    body:
      paragraph(
        `A cell is coloured only when at least ${MIN_OBSERVED_USERS} users and ${formatPercent(MIN_OBSERVED_SHARE, 0)} of its cohort are observed through that period; the grey cells of recent cohorts rest on too few users to read.`,
        "note",
      ) +
      figureRow(heatmap) +
      table(COLUMNS, summary, {
        caption: "Cohort-level retention (users observed to day 119 / 209)",
        rowData: (c) => ({ cohort: c.cohort }),
      }),
  };
}

cohortRetentionSection.queries = [COHORTS_SQL];
