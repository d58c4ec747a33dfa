import { formatInteger, formatMoney, formatPercent } from "../format";
import { cards, figureRow, table, type Column, type Section } from "../html";
import { lineChart } from "../svg";
import { martRows, num, text, type Row, type SectionContext, numberColumn } from "./common";

/** Days of history the KPI table and chart show. */
export const KPI_DAYS = 30;

const COLUMNS: readonly Column<Row>[] = [
  { header: "Day", key: "kpi_date", text: (r) => text(r, "kpi_date") },
  numberColumn("DAU", "dau", formatInteger),
  numberColumn("WAU", "wau", formatInteger),
  numberColumn("MAU", "mau", formatInteger),
  numberColumn("Stickiness", "stickiness", formatPercent),
  numberColumn("Sessions", "sessions", formatInteger),
  numberColumn("Orders", "orders", formatInteger),
  numberColumn("Buyers", "buyers", formatInteger),
  numberColumn("Revenue", "revenue", formatMoney),
  numberColumn("AOV", "aov", formatMoney),
  numberColumn("New users", "new_users", formatInteger),
  {
    header: "Orders / session",
    key: "conversion_rate",
    numeric: true,
    text: (r) => formatPercent(r.conversion_rate, 2),
  },
];

/** The latest day's KPIs as headline cards, and the recent days they come from. */
export async function kpiDailySection(context: SectionContext): Promise<Section> {
  const rows = await martRows(
    context,
    `select * from marts.dm_kpi_daily order by kpi_date desc limit ${KPI_DAYS}`,
  );
  const latest = rows[0];
  const headline = latest
    ? cards([
        { label: "Day", value: text(latest, "kpi_date") },
        { label: "DAU", value: formatInteger(latest.dau) },
        { label: "WAU", value: formatInteger(latest.wau) },
        { label: "MAU", value: formatInteger(latest.mau) },
        { label: "Stickiness (DAU/MAU)", value: formatPercent(latest.stickiness) },
        { label: "Orders", value: formatInteger(latest.orders) },
        { label: "Revenue", value: formatMoney(latest.revenue) },
        { label: "AOV", value: formatMoney(latest.aov) },
        { label: "New users", value: formatInteger(latest.new_users) },
        { label: "Orders per session", value: formatPercent(latest.conversion_rate, 2) },
      ])
    : "";
  const oldestFirst = [...rows].reverse();
  const trend =
    rows.length > 1
      ? figureRow(
          lineChart({
            title: "Daily, weekly and monthly active users",
            xLabels: oldestFirst.map((r) => text(r, "kpi_date")),
            series: ["dau", "wau", "mau"].map((k) => ({
              name: k.toUpperCase(),
              values: oldestFirst.map((r) => num(r, k)),
            })),
            format: formatInteger,
          }),
        )
      : "";
  return {
    id: "kpi-daily",
    title: "Latest KPIs",
    what: "The most recent day's activity and sales: active users, stickiness, orders, revenue, AOV and new users (one row per refreshed day).",
    grain: `one row per day (the latest ${KPI_DAYS} days the marts hold)`,
    sources: ["marts.dm_kpi_daily"],
    rows: rows.length,
    body:
      headline + trend + table(COLUMNS, rows, { rowData: (r) => ({ day: text(r, "kpi_date") }) }),
  };
}
