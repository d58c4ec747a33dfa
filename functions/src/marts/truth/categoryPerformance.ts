import { dayDate, type TruthRaw } from "./rawRows";
import { groupBy, ratio, roundCents, sum } from "./stats";

export interface CategoryMonthTruth {
  category: string;
  order_month: string;
  is_partial_month: boolean;
  revenue: number;
  orders: number;
  units: number;
  aov: number | null;
  revenue_growth_mom: number | null;
  revenue_growth_yoy: number | null;
  seasonality_index: number | null;
  promo_revenue_share: number | null;
}

/** YYYY-MM-01 of a day number. */
const monthOf = (day: number): string => `${dayDate(day).slice(0, 7)}-01`;

/** YYYY-MM-01 of the month `k` months before `month`. */
function monthsBefore(month: string, k: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) - k;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}-01`;
}

/**
 * dm_category_performance from raw rows: order lines dated on or before the run day, of users
 * without the anomaly flag, by product category and calendar month. The run day's month is
 * partial unless the run day is its last day. Growth and the seasonality index read complete
 * months only; the index is the category's share of the shop's revenue in the month over its
 * share in the complete months of that calendar year.
 */
export function categoryPerformanceTruth(raw: TruthRaw, runDay: number): CategoryMonthTruth[] {
  const anomalous = new Set(raw.users.filter((u) => u.is_anomaly).map((u) => u.user_id));
  const category = new Map(raw.products.map((p) => [p.product_id, p.category]));
  const lines = raw.lines.filter((l) => l.order_day <= runDay && !anomalous.has(l.user_id));
  const runMonth = monthOf(runDay);
  const runMonthIsPartial = monthOf(runDay + 1) === runMonth;
  const isPartial = (month: string) => runMonthIsPartial && month === runMonth;

  const groups = groupBy(lines, (l) => `${category.get(l.product_id)}|${monthOf(l.order_day)}`);
  const months = [...groups].map(([key, group]) => {
    const [cat, month] = key.split("|") as [string, string];
    const revenue = sum(group.map((l) => l.line_amount));
    return {
      category: cat,
      month,
      revenue,
      orders: new Set(group.map((l) => l.order_id)).size,
      units: sum(group.map((l) => l.quantity)),
      promoRevenue: sum(group.filter((l) => l.is_promo).map((l) => l.line_amount)),
    };
  });
  const revenueOf = new Map(months.map((m) => [`${m.category}|${m.month}`, m.revenue]));
  /** Revenue of the complete months matching `take` (all categories when `category` is null). */
  const revenueWhere = (take: (month: string) => boolean, category: string | null) =>
    sum(
      months
        .filter((o) => take(o.month) && (category === null || o.category === category))
        .map((o) => o.revenue),
    );
  const growth = (cat: string, month: string, k: number): number | null => {
    const before = revenueOf.get(`${cat}|${monthsBefore(month, k)}`);
    return before === undefined
      ? null
      : ratio((revenueOf.get(`${cat}|${month}`) ?? 0) - before, before);
  };

  return months.map((m) => {
    const partial = isPartial(m.month);
    const inYear = (month: string) => month.startsWith(m.month.slice(0, 4)) && !isPartial(month);
    const monthShare = ratio(
      m.revenue,
      revenueWhere((month) => month === m.month, null),
    );
    const yearShare = ratio(revenueWhere(inYear, m.category), revenueWhere(inYear, null));
    return {
      category: m.category,
      order_month: m.month,
      is_partial_month: partial,
      revenue: roundCents(m.revenue),
      orders: m.orders,
      units: m.units,
      aov: m.orders > 0 ? roundCents(roundCents(m.revenue) / m.orders) : null,
      revenue_growth_mom: partial ? null : growth(m.category, m.month, 1),
      revenue_growth_yoy: partial ? null : growth(m.category, m.month, 12),
      seasonality_index:
        partial || monthShare === null || yearShare === null ? null : ratio(monthShare, yearShare),
      promo_revenue_share: ratio(m.promoRevenue, m.revenue),
    };
  });
}
