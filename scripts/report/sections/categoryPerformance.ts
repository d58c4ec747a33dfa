import { formatDecimal, formatInteger, formatMoney, formatPercent } from "../format";
import { figureRow, paragraph, table, type Column, type Section } from "../html";
import type { Datum } from "../charts/specs";
import { ACCENT } from "../palette";
import { martRows, num, text, type Row, type SectionContext } from "./common";

/** One category's totals over every month, and its latest complete month. */
export interface CategorySummary {
  readonly category: string;
  readonly revenue: number;
  readonly orders: number;
  readonly units: number;
  readonly promoRevenue: number;
  readonly latestMonth: string | null;
  readonly latestRevenue: number | null;
  readonly latestGrowth: number | null;
  readonly peakMonth: string | null;
  readonly peakSeasonality: number | null;
}

/**
 * Totals per category from its monthly rows (largest revenue first). The latest month is the
 * last complete one: a partial month's revenue would read as a fall.
 */
export function summariseCategories(rows: readonly Row[]): CategorySummary[] {
  const byCategory = new Map<string, Row[]>();
  for (const r of rows) {
    const c = text(r, "category");
    byCategory.set(c, [...(byCategory.get(c) ?? []), r]);
  }
  return [...byCategory]
    .map(([category, months]) => {
      const sorted = [...months].sort((a, b) =>
        text(a, "order_month").localeCompare(text(b, "order_month")),
      );
      const complete = sorted.filter((r) => r.is_partial_month !== true);
      const latest = complete[complete.length - 1];
      const peak = complete.reduce<Row | undefined>(
        (best, r) =>
          best === undefined ||
          (num(r, "seasonality_index") ?? -1) > (num(best, "seasonality_index") ?? -1)
            ? r
            : best,
        undefined,
      );
      const sum = (key: string) => sorted.reduce((n, r) => n + (num(r, key) ?? 0), 0);
      return {
        category,
        revenue: sum("revenue"),
        orders: sum("orders"),
        units: sum("units"),
        promoRevenue: sorted.reduce(
          (n, r) => n + (num(r, "revenue") ?? 0) * (num(r, "promo_revenue_share") ?? 0),
          0,
        ),
        latestMonth: latest ? text(latest, "order_month").slice(0, 7) : null,
        latestRevenue: latest ? num(latest, "revenue") : null,
        latestGrowth: latest ? num(latest, "revenue_growth_mom") : null,
        peakMonth: peak ? text(peak, "order_month").slice(0, 7) : null,
        peakSeasonality: peak ? num(peak, "seasonality_index") : null,
      };
    })
    .sort((a, b) => b.revenue - a.revenue || a.category.localeCompare(b.category));
}

const COLUMNS: readonly Column<CategorySummary>[] = [
  { header: "Category", key: "category", text: (c) => c.category },
  { header: "Revenue", key: "revenue", numeric: true, text: (c) => formatMoney(c.revenue) },
  { header: "Orders", key: "orders", numeric: true, text: (c) => formatInteger(c.orders) },
  { header: "Units", key: "units", numeric: true, text: (c) => formatInteger(c.units) },
  {
    header: "AOV",
    key: "aov",
    numeric: true,
    text: (c) => formatMoney(c.orders > 0 ? c.revenue / c.orders : null),
  },
  {
    header: "Promo revenue",
    key: "promo_revenue_share",
    numeric: true,
    text: (c) => formatPercent(c.revenue > 0 ? c.promoRevenue / c.revenue : null),
  },
  { header: "Latest full month", key: "latest_month", text: (c) => c.latestMonth ?? "" },
  {
    header: "Its revenue",
    key: "latest_revenue",
    numeric: true,
    text: (c) => formatMoney(c.latestRevenue),
  },
  {
    header: "MoM growth",
    key: "latest_growth",
    numeric: true,
    text: (c) => formatPercent(c.latestGrowth),
  },
  { header: "Peak month", key: "peak_month", text: (c) => c.peakMonth ?? "" },
  {
    header: "Peak seasonality",
    key: "peak_seasonality",
    numeric: true,
    text: (c) => formatDecimal(c.peakSeasonality, 2),
  },
];

const MONTHS_SQL =
  "select\n    category,\n    order_month,\n    is_partial_month,\n    revenue,\n    orders,\n    units,\n" +
  "    revenue_growth_mom,\n    seasonality_index,\n    promo_revenue_share\n" +
  "from marts.dm_category_performance\norder by order_month, category";

/** Monthly revenue by category (seasonality shows as waves) and each category's totals. */
export async function categoryPerformanceSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(context, MONTHS_SQL);
  const summaries = summariseCategories(rows);
  const order = summaries.map((c) => c.category);
  const data: Datum[] = rows
    .filter((r) => r.is_partial_month !== true)
    .map((r) => ({
      category: text(r, "category"),
      month: text(r, "order_month"),
      revenue: num(r, "revenue"),
      tip:
        `${text(r, "category")}, ${text(r, "order_month").slice(0, 7)}: revenue ${formatMoney(r.revenue)}, ` +
        `${formatInteger(r.orders)} orders, growth ${formatPercent(r.revenue_growth_mom)}, ` +
        `seasonality ${formatDecimal(r.seasonality_index, 2)}`,
    }));
  const partial = rows.some((r) => r.is_partial_month === true);
  // Small multiples with each category on its own scale: on one shared axis the two largest
  // categories flatten every other line near zero.
  const chart = context.charts.add("Monthly revenue by category (each on its own scale)", {
    data: { values: data },
    facet: {
      field: "category",
      type: "nominal",
      sort: order,
      title: null,
      header: { labelFontSize: 12, labelFontWeight: 600 },
    },
    columns: 5,
    spec: {
      width: 170,
      height: 90,
      encoding: {
        x: {
          field: "month",
          type: "temporal",
          title: null,
          axis: { format: "%b %y", labelFontSize: 9, tickCount: 4 },
        },
        y: {
          field: "revenue",
          type: "quantitative",
          title: null,
          axis: { format: "~s", labelFontSize: 9, tickCount: 3 },
        },
      },
      layer: [
        {
          mark: { type: "line", color: ACCENT, strokeWidth: 1.5 },
          encoding: { description: { field: "category" } },
        },
        {
          mark: { type: "point", filled: true, size: 14, color: ACCENT },
          encoding: { description: { field: "tip" } },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
  });
  return {
    id: "category-performance",
    title: "Category performance",
    what: "Revenue per category and month, with each category's totals, latest complete month and its busiest month.",
    grain: "one row per category x calendar month (summarised per category in the table)",
    sources: ["marts.dm_category_performance"],
    rows: rows.length,
    body:
      figureRow(chart) +
      (partial
        ? paragraph(
            "The month holding the run date counts as partial in the mart, so the latest full month is the one before it.",
            "note",
          )
        : "") +
      table(COLUMNS, summaries, { rowData: (c) => ({ category: c.category }) }),
  };
}

categoryPerformanceSection.queries = [MONTHS_SQL];
