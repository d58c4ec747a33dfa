import type { MartParameters } from "../martParameters";
import { dayDate, type TruthRaw } from "./rawRows";
import { groupBy, sum } from "./stats";

const MS_PER_DAY = 86_400_000;

export interface BehaviorTruth {
  user_id: string;
  signup_date: string;
  user_type: string;
  marketing_source: string;
  is_window_observed: boolean;
  active_days_28d: number;
  active_weeks_28d: number;
  mean_gap_days: number | null;
  gap_cv: number | null;
  consistency_tier: string | null;
}

/**
 * dm_behavior_consistency from raw rows: the distinct days (after signup) with a session in the
 * rhythm window, the gaps between consecutive ones, their mean and coefficient of variation
 * (population standard deviation over the mean), and the tier. The tier compares the CV with its
 * threshold exactly: CV^2 = sum((n * g - s)^2) / (n * s^2) for n gaps summing to s, all integers.
 */
export function behaviorConsistencyTruth(
  raw: TruthRaw,
  runDay: number,
  P: MartParameters,
): BehaviorTruth[] {
  const endMs = (runDay + 1) * MS_PER_DAY;
  const sessionsByUser = groupBy(
    raw.sessions.filter((s) => s.start_ms < endMs),
    (s) => s.user_id,
  );
  return raw.users
    .filter((u) => !u.is_anomaly && u.signup_day <= runDay)
    .map((u) => {
      const days = [
        ...new Set(
          (sessionsByUser.get(u.user_id) ?? [])
            .map((s) => s.session_day - u.signup_day)
            .filter((d) => d >= 0 && d < P.rhythm_days),
        ),
      ].sort((a, b) => a - b);
      const gaps = days.slice(1).map((d, i) => d - days[i]!);
      const n = gaps.length;
      const s = sum(gaps);
      const meanGap = n > 0 ? s / n : null;
      const sd = meanGap === null ? null : Math.sqrt(sum(gaps.map((g) => (g - meanGap) ** 2)) / n);
      const observed = runDay - u.signup_day >= P.rhythm_days - 1;
      /** CV <= pct / 100, in integers: 10000 * sum((n g - s)^2) <= pct^2 * n * s^2. */
      const cvAtMost = (pct: number) =>
        10000 * sum(gaps.map((g) => (n * g - s) ** 2)) <= pct * pct * n * s * s;
      let tier: string | null = null;
      if (observed) {
        if (days.length < P.rhythm_min_active_days) tier = "Sparse";
        else if (cvAtMost(P.consistency_high_max_cv_pct)) tier = "High";
        else if (cvAtMost(P.consistency_medium_max_cv_pct)) tier = "Medium";
        else tier = "Low";
      }
      return {
        user_id: u.user_id,
        signup_date: dayDate(u.signup_day),
        user_type: u.user_type,
        marketing_source: u.marketing_source,
        is_window_observed: observed,
        active_days_28d: days.length,
        active_weeks_28d: new Set(days.map((d) => Math.floor(d / 7))).size,
        mean_gap_days: meanGap,
        gap_cv: n >= 2 && meanGap !== null && sd !== null ? sd / meanGap : null,
        consistency_tier: tier,
      };
    });
}
