import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, paragraph, table, type Column, type Section } from "../html";
import { barSpec, lineSpec, type Datum } from "../charts/specs";
import {
  byKnownOrder,
  CONSISTENCY_TIERS,
  martRows,
  num,
  segmentLabel,
  text,
  USER_TYPES,
  type Row,
  type SectionContext,
  numberColumn,
} from "./common";

const COLUMNS: readonly Column<Row>[] = [
  { header: "Population", key: "population", text: (r) => text(r, "population") },
  { header: "User type", key: "user_type", text: (r) => segmentLabel(text(r, "user_type")) },
  {
    header: "Consistency tier",
    key: "consistency_tier",
    text: (r) => segmentLabel(text(r, "consistency_tier")),
  },
  numberColumn("Users", "users", formatInteger),
  numberColumn("Mean", "ltv_180d_mean", formatMoney),
  numberColumn("P50", "ltv_180d_p50", formatMoney),
  numberColumn("P75", "ltv_180d_p75", formatMoney),
  numberColumn("P90", "ltv_180d_p90", formatMoney),
  numberColumn("P99", "ltv_180d_p99", formatMoney),
  numberColumn("Top 1% share", "top_1pct_revenue_share", formatPercent),
  numberColumn("Top 10% share", "top_10pct_revenue_share", formatPercent),
  numberColumn("Top 20% share", "top_20pct_revenue_share", formatPercent),
  { header: "Gini", key: "gini", numeric: true, text: (r) => formatDecimal(r.gini, 3) },
];

/**
 * The Lorenz curves of 180-day LTV for all users observed 180 days and for those who bought, from
 * the mart that defines them (`marts.dm_ltv_lorenz`: the share of revenue earned by the lowest
 * x% of users, every 5%).
 */
const DISTRIBUTION_SQL = "select * from marts.dm_ltv_distribution";

export const LORENZ_SQL = `-- Grain: one row per population ('All users', 'Buyers') x user share (0..100 %).
select
    population as curve,
    user_share_pct,
    user_share_pct / 100 as user_share,
    revenue_share as ltv_share

from marts.dm_ltv_lorenz
where user_type = 'All' and consistency_tier = 'All'
order by curve, user_share_pct
`;

/** How concentrated 180-day value is: percentiles and Pareto shares, not only the mean. */
export async function ltvDistributionSection(context: SectionContext): Promise<Section> {
  // An orders file has no latent user types and no visits for the tiers: its rows by type and
  // tier repeat the 'All' rollup, so only that is shown.
  const typed = context.coverage.source === "synthetic";
  const isRollup = (r: Row) =>
    text(r, "user_type") === "All" && text(r, "consistency_tier") === "All";
  const rows = (await martRows(context, DISTRIBUTION_SQL)).filter((r) => typed || isRollup(r));
  const sorted = byKnownOrder(
    byKnownOrder(
      byKnownOrder(rows, (r) => text(r, "consistency_tier"), CONSISTENCY_TIERS),
      (r) => text(r, "user_type"),
      USER_TYPES,
    ),
    (r) => text(r, "population"),
    ["All users", "Buyers"],
  );
  const all = rows.find(
    (r) =>
      text(r, "population") === "All users" &&
      text(r, "user_type") === "All" &&
      text(r, "consistency_tier") === "All",
  );
  // Percentiles among buyers: among all users most of them are zero (most never buy).
  const byType = sorted.filter(
    (r) =>
      text(r, "population") === "Buyers" &&
      text(r, "consistency_tier") === "All" &&
      (typed ? text(r, "user_type") !== "All" : true),
  );
  const lorenzRows = await martRows(context, LORENZ_SQL);
  const lorenz: Datum[] = [
    {
      curve: "Equal shares",
      user_share: 0,
      ltv_share: 0,
      tip: "Equal shares: every user the same LTV",
    },
    {
      curve: "Equal shares",
      user_share: 1,
      ltv_share: 1,
      tip: "Equal shares: every user the same LTV",
    },
    ...lorenzRows.map((r) => ({
      curve: text(r, "curve"),
      user_share: num(r, "user_share"),
      ltv_share: num(r, "ltv_share"),
      tip:
        `${text(r, "curve")}: the lowest ${formatPercent(r.user_share, 0)} of users hold ${formatPercent(r.ltv_share)} of 180-day LTV ` +
        `(the top ${formatPercent(1 - (num(r, "user_share") ?? 0), 0)} hold ${formatPercent(1 - (num(r, "ltv_share") ?? 0))})`,
    })),
  ];
  const topShare = (curve: string) => {
    const at80 = lorenzRows.find(
      (r) => text(r, "curve") === curve && num(r, "user_share_pct") === 80,
    );
    return at80 ? formatPercent(1 - (num(at80, "ltv_share") ?? 0)) : "–";
  };
  const lorenzChart = context.charts.add(
    "Lorenz curve of 180-day LTV: share of LTV held by the lowest x% of users",
    {
      ...lineSpec({
        data: lorenz,
        x: {
          field: "user_share",
          title: "Share of users (lowest LTV first)",
          format: ".0%",
          type: "quantitative",
        },
        y: { field: "ltv_share", title: "Share of 180-day LTV", format: ".0%" },
        series: { field: "curve", family: "series" },
        width: 360,
        height: 260,
      }),
    },
  );
  const percentiles: Datum[] = byType.flatMap((r) =>
    ["p50", "p75", "p90", "p99"].map((p) => ({
      percentile: p.toUpperCase(),
      user_type: text(r, "user_type"),
      ltv: num(r, `ltv_180d_${p}`),
      tip: `Type ${text(r, "user_type")}: ${p.toUpperCase()} of 180-day LTV among buyers ${formatMoney(r[`ltv_180d_${p}`])} (${formatInteger(r.users)} buyers)`,
    })),
  );
  const percentileChart = context.charts.add(
    typed
      ? "180-day LTV percentiles among buyers, by user type"
      : "180-day LTV percentiles among buyers",
    barSpec({
      data: percentiles,
      category: { field: "percentile", title: null, sort: ["P50", "P75", "P90", "P99"] },
      value: { field: "ltv", title: "180-day LTV", format: ",.0f" },
      colour: { field: "user_type", family: "user_type" },
      offset: "user_type",
      vertical: true,
      width: 360,
      height: 260,
    }),
  );
  const pareto = paragraph(
    `The top 20% of users hold ${topShare("All users")} of all 180-day LTV; among buyers, the top 20% hold ${topShare("Buyers")}` +
      (all ? `. Gini ${formatDecimal(all.gini, 3)} over all observed users.` : ".") +
      (typed ? "" : " User types and consistency tiers are not in this source."),
    "note",
  );
  return {
    id: "ltv-distribution",
    title: "180-day LTV distribution",
    what: "How 180-day revenue per user is spread: percentiles, the share earned by the top 1/10/20% of users, and the Gini coefficient.",
    grain:
      "one row per population (all users, buyers) x user type x consistency tier, with 'All' rollups; users observed 180 days",
    sources: ["marts.dm_ltv_distribution", "marts.dm_ltv_lorenz"],
    rows: rows.length,
    body: pareto + figureRow(lorenzChart, percentileChart) + table(COLUMNS, sorted),
  };
}

ltvDistributionSection.queries = [DISTRIBUTION_SQL, LORENZ_SQL];
