import { formatDecimal, formatInteger, formatPercent } from "../format";
import { figureRow, table, type Column, type Section } from "../html";
import { barSpec } from "../charts/specs";
import { byKnownOrder, martRows, num, text, type Row, type SectionContext } from "./common";

/** Risk groups from the most to the least engaged (thresholds live in the mart). */
export const RISK_GROUP_ORDER = ["Active", "Cooling", "At risk", "Churned"];

interface RiskGroup {
  readonly row: Row;
  readonly share: number | null;
}

const COLUMNS: readonly Column<RiskGroup>[] = [
  { header: "Risk group", key: "risk_group", text: (g) => text(g.row, "risk_group") },
  { header: "Buyers", key: "buyers", numeric: true, text: (g) => formatInteger(g.row.buyers) },
  { header: "Share of buyers", key: "share", numeric: true, text: (g) => formatPercent(g.share) },
  {
    header: "Avg days since purchase",
    key: "mean_days_since_last_purchase",
    numeric: true,
    text: (g) => formatDecimal(g.row.mean_days_since_last_purchase, 0),
  },
  {
    header: "Avg orders",
    key: "mean_orders",
    numeric: true,
    text: (g) => formatDecimal(g.row.mean_orders, 2),
  },
  {
    header: "Avg purchase cycle (days)",
    key: "mean_purchase_cycle_days",
    numeric: true,
    text: (g) => formatDecimal(g.row.mean_purchase_cycle_days, 0),
  },
  {
    header: "Reactivation targets",
    key: "reactivation_targets",
    numeric: true,
    text: (g) => formatInteger(g.row.reactivation_targets),
  },
];

const GROUPS_SQL =
  "select\n    risk_group,\n    count(*) as buyers,\n" +
  "    avg(days_since_last_purchase) as mean_days_since_last_purchase,\n" +
  "    avg(orders) as mean_orders,\n    avg(purchase_cycle_days) as mean_purchase_cycle_days,\n" +
  "    countif(is_reactivation_target) as reactivation_targets\n" +
  "from marts.dm_churn_risk\ngroup by risk_group";

const TIERS_SQL =
  "select\n    purchase_count_tier,\n    count(*) as buyers,\n" +
  "    countif(is_reactivation_target) as reactivation_targets,\n" +
  "    avg(tier_cycle_p75_days) as tier_cycle_p75_days\n" +
  "from marts.dm_churn_risk\nwhere purchase_count_tier != '1'\ngroup by purchase_count_tier";

/** Buyers by how long they have been silent, and how many are worth a reactivation push now. */
export async function churnRiskSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(context, GROUPS_SQL);
  const total = rows.reduce((n, r) => n + (num(r, "buyers") ?? 0), 0);
  const groups = byKnownOrder(rows, (r) => text(r, "risk_group"), RISK_GROUP_ORDER).map((row) => ({
    row,
    share: total > 0 ? (num(row, "buyers") ?? 0) / total : null,
  }));
  const chart = context.charts.add(
    "Buyers per risk group",
    barSpec({
      data: groups.map((g) => ({
        risk_group: text(g.row, "risk_group"),
        buyers: num(g.row, "buyers"),
        label: formatPercent(g.share, 0),
        tip:
          `${text(g.row, "risk_group")}: ${formatInteger(g.row.buyers)} buyers (${formatPercent(g.share)}), ` +
          `${formatDecimal(g.row.mean_days_since_last_purchase, 0)} days since the last purchase on average`,
      })),
      category: {
        field: "risk_group",
        title: null,
        sort: groups.map((g) => text(g.row, "risk_group")),
      },
      value: { field: "buyers", title: "Buyers", format: ",.0f" },
      colour: { field: "risk_group", family: "risk_group" },
      label: "label",
      width: 360,
    }),
  );
  const tiers = await martRows(context, TIERS_SQL);
  const targets = context.charts.add(
    "Reactivation targets by orders so far (silent past their tier's P75 purchase cycle)",
    barSpec({
      data: byKnownOrder(tiers, (r) => text(r, "purchase_count_tier"), ["2", "3-4", "5+"]).map(
        (r) => ({
          tier: `${text(r, "purchase_count_tier")} orders`,
          targets: num(r, "reactivation_targets"),
          label: formatInteger(r.reactivation_targets),
          tip:
            `${text(r, "purchase_count_tier")} orders: ${formatInteger(r.reactivation_targets)} of ${formatInteger(r.buyers)} buyers to reactivate ` +
            `(P75 cycle ${formatDecimal(r.tier_cycle_p75_days, 0)} days)`,
        }),
      ),
      category: { field: "tier", title: null, sort: ["2 orders", "3-4 orders", "5+ orders"] },
      value: { field: "targets", title: "Buyers to reactivate", format: ",.0f" },
      label: "label",
      width: 360,
    }),
  );
  return {
    id: "churn-risk",
    title: "Churn risk",
    what: "Buyers grouped by days since their last purchase; reactivation targets are not yet churned but silent for longer than the usual (P75) purchase cycle of buyers like them.",
    grain: "one row per risk group (the mart's one row per buyer, counted)",
    sources: ["marts.dm_churn_risk"],
    rows: rows.length,
    body: figureRow(chart, targets) + table(COLUMNS, groups),
  };
}

churnRiskSection.queries = [GROUPS_SQL, TIERS_SQL];
