import { lineSpec, type Datum } from "../charts/specs";
import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { cards, figureRow, paragraph, table, type Column, type Section } from "../html";
import { martRows, num, numberColumn, text, type Row, type SectionContext } from "./common";

/** Days of the most recent history the table lists. */
export const KPI_TABLE_DAYS = 14;

/**
 * The whole history by ISO week (Monday first): two years of days would be 730 points a chart;
 * a week keeps the trend and the seasonality readable. Means for the user counts and stickiness,
 * sums for the flows, AOV recomputed from the sums.
 */
export const KPI_WEEKLY_SQL = `-- Grain: one row per ISO week of marts.dm_kpi_daily.
select
    date_trunc(kpi_date, isoweek) as week_start,
    min(kpi_date) as first_day,
    max(kpi_date) as last_day,
    count(*) as days,
    avg(dau) as dau,
    avg(wau) as wau,
    avg(mau) as mau,
    avg(stickiness) as stickiness,
    sum(revenue) as revenue,
    sum(orders) as orders,
    sum(new_users) as new_users,
    safe_divide(sum(revenue), sum(orders)) as aov

from marts.dm_kpi_daily
group by week_start
order by week_start
`;

const RECENT_SQL = `select * from marts.dm_kpi_daily order by kpi_date desc limit ${KPI_TABLE_DAYS}`;

const COLUMNS: readonly Column<Row>[] = [
  { header: "Day", key: "kpi_date", text: (r) => text(r, "kpi_date") },
  numberColumn("DAU", "dau", formatInteger),
  numberColumn("WAU", "wau", formatInteger),
  numberColumn("MAU", "mau", formatInteger),
  numberColumn("Stickiness", "stickiness", formatPercent),
  numberColumn("Sessions", "sessions", formatInteger),
  numberColumn("Orders", "orders", formatInteger),
  numberColumn("Revenue", "revenue", formatMoney),
  numberColumn("AOV", "aov", formatMoney),
  numberColumn("New users", "new_users", formatInteger),
];

/** The table's columns that count visits (null when the source has no sessions). */
const VISIT_COLUMNS: readonly string[] = ["dau", "wau", "mau", "stickiness", "sessions"];

/** The daily pulse first: the latest day as cards, then every KPI's trend over the whole history. */
export async function kpiOverviewSection(context: SectionContext): Promise<Section> {
  const weeks = await martRows(context, KPI_WEEKLY_SQL);
  const recent = await martRows(context, RECENT_SQL);
  const latest = recent[0];
  const week = (r: Row) =>
    `week of ${text(r, "week_start")} (${num(r, "days")} day${num(r, "days") === 1 ? "" : "s"})`;
  const series = (key: string, label: string, format: (v: unknown) => string): Datum[] =>
    weeks.map((r) => ({
      week_start: text(r, "week_start"),
      [key]: num(r, key),
      tip: `${week(r)}: ${label} ${format(r[key])}`,
    }));
  const trend = (
    title: string,
    key: string,
    label: string,
    format: (v: unknown) => string,
    axis: string,
  ) =>
    context.charts.add(
      title,
      lineSpec({
        data: series(key, label, format),
        x: { field: "week_start", title: null },
        y: { field: key, title: label, format: axis },
      }),
    );
  const active: Datum[] = weeks.flatMap((r) =>
    (["dau", "wau", "mau"] as const).map((k) => ({
      week_start: text(r, "week_start"),
      measure: k.toUpperCase(),
      users: num(r, k),
      tip: `${week(r)}: mean ${k.toUpperCase()} ${formatInteger(r[k])}`,
    })),
  );
  // Without sessions (an orders file) there are no active users to chart: the section says so.
  const noVisits = context.coverage.absentTables.includes("sessions");
  const activity = noVisits
    ? []
    : [
        context.charts.add(
          "Active users (weekly mean of DAU, WAU, MAU)",
          lineSpec({
            data: active,
            x: { field: "week_start", title: null },
            y: { field: "users", title: "Users", format: ",.0f" },
            series: { field: "measure", family: "series" },
          }),
        ),
        trend(
          "Stickiness (DAU / MAU, weekly mean)",
          "stickiness",
          "stickiness",
          (v) => formatPercent(v),
          ".0%",
        ),
      ];
  const charts = figureRow(
    ...activity,
    trend("Revenue per week", "revenue", "revenue", formatMoney, ",.0f"),
    trend("Orders per week", "orders", "orders", formatInteger, ",.0f"),
    trend("Average order value", "aov", "AOV", formatMoney, ",.2f"),
    trend("New users per week", "new_users", "new users", formatInteger, ",.0f"),
  );
  const visitCards = (row: Row) => [
    { label: "DAU", value: formatInteger(row.dau) },
    { label: "MAU", value: formatInteger(row.mau) },
    { label: "Stickiness", value: formatPercent(row.stickiness) },
  ];
  const headline = latest
    ? cards([
        { label: "Latest day", value: text(latest, "kpi_date") },
        ...(noVisits ? [] : visitCards(latest)),
        { label: "Orders", value: formatInteger(latest.orders) },
        { label: "Revenue", value: formatMoney(latest.revenue) },
        { label: "AOV", value: formatMoney(latest.aov) },
        { label: "New users", value: formatInteger(latest.new_users) },
        ...(noVisits
          ? []
          : [{ label: "Orders per session", value: formatPercent(latest.conversion_rate, 2) }]),
      ])
    : "";
  const history =
    weeks.length < 2
      ? paragraph(
          `The mart holds ${formatInteger(recent.length)} day${recent.length === 1 ? "" : "s"} so far; each daily run adds one, and the trends fill in as they do.`,
          "note",
        )
      : paragraph(
          `${formatInteger(weeks.length)} weeks, ${text(weeks[0]!, "first_day")} to ${text(weeks[weeks.length - 1]!, "last_day")}; ` +
            `mean weekly revenue ${formatMoney(weeks.reduce((s, r) => s + (num(r, "revenue") ?? 0), 0) / weeks.length)}` +
            (noVisits
              ? ". Active users, stickiness and sessions are not in this source (it has no sessions); new users are first-time buyers."
              : `, mean stickiness ${formatDecimal((weeks.reduce((s, r) => s + (num(r, "stickiness") ?? 0), 0) / weeks.length) * 100, 1)}%.`),
          "note",
        );
  return {
    id: "kpi-overview",
    title: "KPI overview",
    what: "Active users (DAU, WAU, MAU), stickiness, revenue, orders, AOV and new users: the latest day, and the trend over the whole history, by week.",
    grain: `one row per day (charts: by ISO week; table: the latest ${KPI_TABLE_DAYS} days)`,
    sources: ["marts.dm_kpi_daily"],
    rows: recent.length,
    body:
      headline +
      history +
      charts +
      table(noVisits ? COLUMNS.filter((c) => !VISIT_COLUMNS.includes(c.key)) : COLUMNS, recent, {
        rowData: (r) => ({ day: text(r, "kpi_date") }),
      }),
  };
}

kpiOverviewSection.queries = [KPI_WEEKLY_SQL, RECENT_SQL];
