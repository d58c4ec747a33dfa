import type { TruthRaw } from "./rawRows";
import { groupBy } from "./stats";

export { groupBy } from "./stats";

/** The KPIs that carry the story, for one user, as SPEC defines them. */
export interface UserKpiTruth {
  readonly days_to_first_purchase: number | null;
  readonly is_converted_14d: boolean;
  readonly is_converted_30d: boolean;
  readonly ltv_180d: number | null;
  readonly is_retained_90d: boolean | null;
}

/**
 * Recomputes the user KPIs from raw rows, written from SPEC's definitions and independent of the
 * mart SQL: day 0 is the signup date; converted within N days when the first purchase falls on
 * day < N; 180-day LTV = revenue of orders before day 180, defined when signup + 180 <= end;
 * retained at 90 when a session falls on days 90..119, defined when day 119 is observed.
 * Anomaly-flagged users and users who sign up after the end are left out, as the marts do.
 */
export function computeUserKpis(raw: TruthRaw, endDay: number): Map<string, UserKpiTruth> {
  const revenueByOrder = new Map<string, number>();
  for (const line of raw.lines) {
    revenueByOrder.set(line.order_id, (revenueByOrder.get(line.order_id) ?? 0) + line.line_amount);
  }
  const ordersByUser = groupBy(
    raw.orders.filter((o) => o.order_day <= endDay),
    (o) => o.user_id,
  );
  const sessionsByUser = groupBy(
    raw.sessions.filter((s) => s.session_day <= endDay),
    (s) => s.user_id,
  );
  const result = new Map<string, UserKpiTruth>();
  for (const user of raw.users) {
    if (user.is_anomaly || user.signup_day > endDay) continue;
    const orders = ordersByUser.get(user.user_id) ?? [];
    const firstDay = orders.length > 0 ? Math.min(...orders.map((o) => o.order_day)) : null;
    const daysTo = firstDay === null ? null : firstDay - user.signup_day;
    let ltv: number | null = null;
    if (user.signup_day + 180 <= endDay) {
      ltv = 0;
      for (const o of orders) {
        if (o.order_day - user.signup_day < 180) ltv += revenueByOrder.get(o.order_id) ?? 0;
      }
      ltv = Math.round(ltv * 100) / 100;
    }
    let retained: boolean | null = null;
    if (user.signup_day + 119 <= endDay) {
      retained = (sessionsByUser.get(user.user_id) ?? []).some(
        (s) => s.session_day - user.signup_day >= 90 && s.session_day - user.signup_day <= 119,
      );
    }
    result.set(user.user_id, {
      days_to_first_purchase: daysTo,
      is_converted_14d: daysTo !== null && daysTo < 14,
      is_converted_30d: daysTo !== null && daysTo < 30,
      ltv_180d: ltv,
      is_retained_90d: retained,
    });
  }
  return result;
}
