import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, table, type Column, type Section } from "../html";
import { barChart } from "../svg";
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

/** How concentrated 180-day value is: percentiles and Pareto shares, not only the mean. */
export async function ltvDistributionSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(context, "select * from marts.dm_ltv_distribution");
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
  const byType = sorted.filter(
    (r) =>
      text(r, "population") === "All users" &&
      text(r, "consistency_tier") === "All" &&
      text(r, "user_type") !== "All",
  );
  const charts = [];
  if (all) {
    charts.push(
      barChart({
        title: "180-day LTV percentiles, all observed users",
        bars: ["p50", "p75", "p90", "p99"].map((p) => ({
          label: p.toUpperCase(),
          value: num(all, `ltv_180d_${p}`),
        })),
        format: formatMoney,
        labelWidth: 60,
        width: 460,
      }),
    );
  }
  charts.push(
    barChart({
      title: "Share of 180-day revenue from the top 10% of users",
      bars: byType.map((r) => ({
        label: `Type ${text(r, "user_type")}`,
        value: num(r, "top_10pct_revenue_share"),
      })),
      format: (v) => formatPercent(v, 0),
      max: 1,
      labelWidth: 70,
      width: 460,
    }),
  );
  return {
    id: "ltv-distribution",
    title: "180-day LTV distribution",
    what: "How 180-day revenue per user is spread: percentiles, the share earned by the top 1/10/20% of users, and the Gini coefficient.",
    grain:
      "one row per population (all users observed 180 days; those of them who spent) x user type x consistency tier, with 'All' rollups",
    sources: ["marts.dm_ltv_distribution"],
    rows: rows.length,
    body: figureRow(...charts) + table(COLUMNS, sorted),
  };
}
