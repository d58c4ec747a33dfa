import type { MartParameters } from "../martParameters";
import { dayDate, type TruthRaw } from "./rawRows";

/** SQL's round(x, 2): on the double's exact value, half away from zero (82.485 is 82.48499...). */
function cents(value: number): number {
  return Number(value.toFixed(2));
}

/**
 * `dm_kpi_daily` from its definition (docs/marts.md, SPEC's daily KPIs), for every day from
 * `fromDay` to `runDay`: users without the anomaly flag; active on a day = a session that day;
 * WAU / MAU = users active on any of the `active_week_days` / `active_month_days` days ending
 * that day; revenue = line amounts of the day's order lines; orders and buyers by the UTC day of
 * `order_ts`; new users by signup day. Each window is counted directly, day by day.
 */
export function kpiDailyTruth(
  raw: TruthRaw,
  fromDay: number,
  runDay: number,
  P: MartParameters,
): Record<string, string | number | null>[] {
  const real = new Set(raw.users.filter((u) => !u.is_anomaly).map((u) => u.user_id));
  const activeOn = new Map<number, Set<string>>();
  const sessionsOn = new Map<number, number>();
  for (const s of raw.sessions) {
    if (!real.has(s.user_id)) continue;
    if (!activeOn.has(s.session_day)) activeOn.set(s.session_day, new Set());
    activeOn.get(s.session_day)!.add(s.user_id);
    sessionsOn.set(s.session_day, (sessionsOn.get(s.session_day) ?? 0) + 1);
  }
  const ordersOn = new Map<number, { orders: Set<string>; buyers: Set<string> }>();
  for (const o of raw.orders) {
    if (!real.has(o.user_id)) continue;
    const day = ordersOn.get(o.order_day) ?? { orders: new Set(), buyers: new Set() };
    day.orders.add(o.order_id);
    day.buyers.add(o.user_id);
    ordersOn.set(o.order_day, day);
  }
  const revenueOn = new Map<number, number>();
  for (const l of raw.lines)
    if (real.has(l.user_id))
      revenueOn.set(l.order_day, (revenueOn.get(l.order_day) ?? 0) + l.line_amount);
  const activeIn = (day: number, span: number) => {
    const users = new Set<string>();
    for (let d = day - span + 1; d <= day; d++) for (const u of activeOn.get(d) ?? []) users.add(u);
    return users.size;
  };
  const rows: Record<string, string | number | null>[] = [];
  for (let day = fromDay; day <= runDay; day++) {
    const dau = activeOn.get(day)?.size ?? 0;
    const mau = activeIn(day, P.active_month_days);
    const sessions = sessionsOn.get(day) ?? 0;
    const orders = ordersOn.get(day)?.orders.size ?? 0;
    const revenue = revenueOn.get(day) ?? 0;
    rows.push({
      kpi_date: dayDate(day),
      dau,
      wau: activeIn(day, P.active_week_days),
      mau,
      stickiness: mau === 0 ? null : dau / mau,
      sessions,
      orders,
      buyers: ordersOn.get(day)?.buyers.size ?? 0,
      revenue: cents(revenue),
      aov: orders === 0 ? null : cents(revenue / orders),
      new_users: raw.users.filter((u) => !u.is_anomaly && u.signup_day === day).length,
      conversion_rate: sessions === 0 ? null : orders / sessions,
    });
  }
  return rows;
}
