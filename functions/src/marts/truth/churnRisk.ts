import type { MartParameters } from "../martParameters";
import { dayDate, type TruthRaw } from "./rawRows";
import {
  compareFractions,
  exactPercentile,
  fraction,
  type Fraction,
  groupBy,
  percentile,
} from "./stats";

const MS_PER_DAY = 86_400_000;

export interface ChurnRiskTruth {
  user_id: string;
  user_type: string;
  marketing_source: string;
  orders: number;
  purchase_count_tier: string;
  first_purchase_date: string;
  last_purchase_date: string;
  last_session_date: string | null;
  days_since_last_purchase: number;
  days_since_last_session: number | null;
  purchase_cycle_days: number | null;
  tier_cycle_p75_days: number | null;
  risk_group: string;
  is_churned: boolean;
  is_reactivation_target: boolean;
}

const countTier = (orders: number): string =>
  orders === 1 ? "1" : orders === 2 ? "2" : orders <= 4 ? "3-4" : "5+";

/**
 * dm_churn_risk from raw rows: every user without the anomaly flag, signed up by the run day,
 * with an order before its end. The purchase cycle is the exact fraction (last - first purchase
 * day) / (orders - 1); the tier's upper quartile of cycles is interpolated exactly, and the
 * reactivation test (not churned, silence above it) compares fractions, never rounded floats.
 */
export function churnRiskTruth(raw: TruthRaw, runDay: number, P: MartParameters): ChurnRiskTruth[] {
  const endMs = (runDay + 1) * MS_PER_DAY;
  const ordersByUser = groupBy(
    raw.orders.filter((o) => o.order_ms < endMs),
    (o) => o.user_id,
  );
  const lastSession = new Map<string, number>();
  for (const s of raw.sessions) {
    if (s.start_ms >= endMs) continue;
    lastSession.set(s.user_id, Math.max(lastSession.get(s.user_id) ?? -Infinity, s.session_day));
  }
  const buyers = raw.users
    .filter((u) => !u.is_anomaly && u.signup_day <= runDay && ordersByUser.has(u.user_id))
    .map((u) => {
      const days = ordersByUser.get(u.user_id)!.map((o) => o.order_day);
      const first = Math.min(...days);
      const last = Math.max(...days);
      const cycle: Fraction | null =
        days.length >= 2 ? fraction(last - first, days.length - 1) : null;
      return { u, orders: days.length, first, last, cycle, tier: countTier(days.length) };
    });
  const cyclesByTier = groupBy(
    buyers.filter((b) => b.cycle !== null),
    (b) => b.tier,
  );
  const tierP75 = new Map(
    [...cyclesByTier].map(([tier, members]) => [
      tier,
      {
        exact: exactPercentile(
          members.map((b) => b.cycle!),
          P.reactivation_cycle_percentile,
        ),
        display: percentile(
          members.map((b) => Number(b.cycle!.num) / Number(b.cycle!.den)),
          P.reactivation_cycle_percentile / 100,
        ),
      },
    ]),
  );
  return buyers.map((b) => {
    const silence = runDay - b.last;
    const sessionDay = lastSession.get(b.u.user_id);
    const p75 = tierP75.get(b.tier);
    const churned = silence > P.churn_after_days;
    return {
      user_id: b.u.user_id,
      user_type: b.u.user_type,
      marketing_source: b.u.marketing_source,
      orders: b.orders,
      purchase_count_tier: b.tier,
      first_purchase_date: dayDate(b.first),
      last_purchase_date: dayDate(b.last),
      last_session_date: sessionDay === undefined ? null : dayDate(sessionDay),
      days_since_last_purchase: silence,
      days_since_last_session: sessionDay === undefined ? null : runDay - sessionDay,
      purchase_cycle_days: b.cycle === null ? null : Number(b.cycle.num) / Number(b.cycle.den),
      tier_cycle_p75_days: p75?.display ?? null,
      risk_group:
        silence <= P.churn_active_max_days
          ? "Active"
          : silence <= P.churn_cooling_max_days
            ? "Cooling"
            : churned
              ? "Churned"
              : "At risk",
      is_churned: churned,
      is_reactivation_target:
        !churned && p75 !== undefined && compareFractions(fraction(silence), p75.exact) > 0,
    };
  });
}
