import type { MartParameters } from "../martParameters";
import { dayDate, type RawOrder, type TruthRaw, utcDay } from "./rawRows";
import { fraction, compareFractions, exactPercentile, groupBy, roundCents, sum } from "./stats";

const MS_PER_DAY = 86_400_000;

/** One row of dm_user_purchase_summary, as docs/marts.md defines each column. */
export interface UserSummaryTruth {
  user_id: string;
  signup_date: string;
  user_type: string;
  device: string;
  region: string;
  marketing_source: string;
  is_promo_signup: boolean;
  signup_promo_discount_rate: number | null;
  days_observed: number;
  first_purchase_at: number | null;
  first_purchase_date: string | null;
  days_to_first_purchase: number | null;
  is_converted_14d: boolean;
  is_converted_30d: boolean;
  orders: number;
  revenue: number;
  ltv_180d: number | null;
  is_buyer_180d: boolean | null;
  aov: number | null;
  is_retained_90d: boolean | null;
  is_retained_180d: boolean | null;
  first_order_is_promo: boolean | null;
  first_order_discount_rate: number | null;
  first_purchase_category: string | null;
  subscription_plan: string | null;
  subscription_status: string | null;
  subscription_monthly_fee: number | null;
  is_paid_subscriber: boolean;
  cltv_tier: string | null;
  /** Not a column: the signup day number, for the oracles built on this one. */
  readonly signupDay: number;
}

/** Earliest first; orders at the same instant by the lowest order_id. */
const byTimeThenId = (a: RawOrder, b: RawOrder): number =>
  a.order_ms - b.order_ms || (a.order_id < b.order_id ? -1 : a.order_id > b.order_id ? 1 : 0);

/**
 * dm_user_purchase_summary recomputed from raw rows, from the definitions in docs/marts.md:
 * the users who signed up on or before the run day, without the anomaly flag; their orders
 * placed before the end of the run day; revenue from the lines dated on or before it.
 */
export function userPurchaseSummaryTruth(
  raw: TruthRaw,
  runDay: number,
  P: MartParameters,
): UserSummaryTruth[] {
  const endMs = (runDay + 1) * MS_PER_DAY;
  const category = new Map(raw.products.map((p) => [p.product_id, p.category]));
  const linesByOrder = groupBy(
    raw.lines.filter((l) => l.order_day <= runDay),
    (l) => l.order_id,
  );
  const orderRevenue = (orderId: string) =>
    sum((linesByOrder.get(orderId) ?? []).map((l) => l.line_amount));
  const ordersByUser = groupBy(
    raw.orders.filter((o) => o.order_ms < endMs),
    (o) => o.user_id,
  );
  const sessionsByUser = groupBy(
    raw.sessions.filter((s) => s.start_ms < endMs),
    (s) => s.user_id,
  );
  const subscription = new Map(raw.subscriptions.map((s) => [s.user_id, s]));

  const rows = raw.users
    .filter((u) => !u.is_anomaly && u.signup_day <= runDay)
    .map((u): UserSummaryTruth => {
      const observedDays = runDay - u.signup_day;
      const orders = [...(ordersByUser.get(u.user_id) ?? [])].sort(byTimeThenId);
      const first = orders[0];
      const daysTo = first ? utcDay(first.order_ms) - u.signup_day : null;
      const revenue = roundCents(sum(orders.map((o) => orderRevenue(o.order_id))));
      const ltv =
        observedDays >= P.ltv_days
          ? roundCents(
              sum(
                orders
                  .filter((o) => o.order_day - u.signup_day < P.ltv_days)
                  .map((o) => orderRevenue(o.order_id)),
              ),
            )
          : null;
      const offsets = (sessionsByUser.get(u.user_id) ?? []).map(
        (s) => s.session_day - u.signup_day,
      );
      const retained = (start: number): boolean | null =>
        observedDays >= start + P.retention_window_days - 1
          ? offsets.some((d) => d >= start && d <= start + P.retention_window_days - 1)
          : null;
      const firstLines = first
        ? [...(linesByOrder.get(first.order_id) ?? [])].sort(
            (a, b) =>
              b.line_amount - a.line_amount ||
              (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0),
          )
        : [];
      const promos = raw.promos.filter(
        (p) => p.start_day <= u.signup_day && u.signup_day <= p.end_day,
      );
      const sub = subscription.get(u.user_id);
      return {
        user_id: u.user_id,
        signup_date: dayDate(u.signup_day),
        user_type: u.user_type,
        device: u.device,
        region: u.region,
        marketing_source: u.marketing_source,
        is_promo_signup: promos.length > 0,
        signup_promo_discount_rate:
          promos.length > 0 ? Math.max(...promos.map((p) => p.discount_rate)) : null,
        days_observed: observedDays + 1,
        first_purchase_at: first ? first.order_ms : null,
        first_purchase_date: first ? dayDate(utcDay(first.order_ms)) : null,
        days_to_first_purchase: daysTo,
        is_converted_14d: daysTo !== null && daysTo < P.conversion_days_short,
        is_converted_30d: daysTo !== null && daysTo < P.conversion_days_long,
        orders: orders.length,
        revenue,
        ltv_180d: ltv,
        is_buyer_180d: ltv === null ? null : ltv > 0,
        aov: orders.length > 0 ? roundCents(revenue / orders.length) : null,
        is_retained_90d: retained(P.retention_start_day_early),
        is_retained_180d: retained(P.retention_start_day_late),
        first_order_is_promo: first ? first.is_promo : null,
        first_order_discount_rate: first ? first.discount_rate : null,
        first_purchase_category:
          firstLines.length > 0 ? (category.get(firstLines[0]!.product_id) ?? null) : null,
        subscription_plan: sub?.plan ?? null,
        subscription_status: sub?.status ?? null,
        subscription_monthly_fee: sub?.monthly_fee ?? null,
        is_paid_subscriber: sub !== undefined && sub.plan !== "Free" && sub.status === "Active",
        cltv_tier: null,
        signupDay: u.signup_day,
      };
    });
  assignCltvTiers(rows, P);
  return rows;
}

/**
 * CLTV tiers: 'Zero' for no spend in the window; among the users who spent, High at or above the
 * P66 of their LTVs, Mid at or above P33, else Low. The percentiles are interpolated exactly, in
 * cents, so a value on a threshold is compared with the threshold itself, not a rounding of it.
 */
function assignCltvTiers(rows: UserSummaryTruth[], P: MartParameters): void {
  const cents = (ltv: number) => fraction(Math.round(ltv * 100));
  const spent = rows.filter((r) => r.ltv_180d !== null && r.ltv_180d > 0);
  if (spent.length > 0) {
    const values = spent.map((r) => cents(r.ltv_180d!));
    const high = exactPercentile(values, P.cltv_high_min_percentile);
    const mid = exactPercentile(values, P.cltv_mid_min_percentile);
    for (const r of spent) {
      const value = cents(r.ltv_180d!);
      r.cltv_tier =
        compareFractions(value, high) >= 0
          ? "High"
          : compareFractions(value, mid) >= 0
            ? "Mid"
            : "Low";
    }
  }
  for (const r of rows) if (r.ltv_180d === 0) r.cltv_tier = "Zero";
}
