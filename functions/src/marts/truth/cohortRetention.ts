import type { MartParameters } from "../martParameters";
import { dayDate, type TruthRaw } from "./rawRows";
import { groupBy, ratio, shareTrue } from "./stats";
import type { UserSummaryTruth } from "./userPurchaseSummary";

const MS_PER_DAY = 86_400_000;

export interface CohortRetentionTruth {
  cohort_granularity: string;
  cohort_start: string;
  period_offset: number;
  cohort_users: number;
  observed_users: number;
  active_users: number;
  retention_rate: number | null;
  retention_90d: number | null;
  retention_180d: number | null;
}

/** The Monday on or before a day (day 0, 1970-01-01, was a Thursday). */
const mondayOf = (day: number): number => day - ((((day + 3) % 7) + 7) % 7);

/**
 * dm_cohort_retention from raw rows: each user (of the user summary) in a weekly (ISO week) and a
 * monthly signup cohort; period k is days [k * len, (k + 1) * len - 1] after the user's own
 * signup; a user is observed in period k once its last day is on or before the run day, and
 * active in it with a session on one of its days from `cohort_first_return_day` on (the signup
 * visit on day 0 is not a return). A row for every period with observed users.
 */
export function cohortRetentionTruth(
  raw: TruthRaw,
  users: readonly UserSummaryTruth[],
  runDay: number,
  P: MartParameters,
): CohortRetentionTruth[] {
  const endMs = (runDay + 1) * MS_PER_DAY;
  const sessionDays = groupBy(
    raw.sessions.filter((s) => s.start_ms < endMs),
    (s) => s.user_id,
  );
  const rows: CohortRetentionTruth[] = [];
  const granularities = [
    { name: "week", len: P.cohort_week_days, cohortOf: (d: number) => dayDate(mondayOf(d)) },
    {
      name: "month",
      len: P.cohort_month_days,
      cohortOf: (d: number) => `${dayDate(d).slice(0, 7)}-01`,
    },
  ];
  for (const g of granularities) {
    for (const [cohort, members] of groupBy(users, (u) => g.cohortOf(u.signupDay))) {
      const activeOffsets = new Map(
        members.map((u) => [
          u.user_id,
          new Set(
            (sessionDays.get(u.user_id) ?? [])
              .map((s) => s.session_day - u.signupDay)
              .filter((d) => d >= P.cohort_first_return_day)
              .map((d) => Math.floor(d / g.len)),
          ),
        ]),
      );
      for (let k = 0; k <= P.cohort_max_period; k += 1) {
        const lastDay = (k + 1) * g.len - 1;
        const observed = members.filter((u) => runDay - u.signupDay >= lastDay);
        if (observed.length === 0) continue;
        const active = observed.filter((u) => activeOffsets.get(u.user_id)!.has(k)).length;
        rows.push({
          cohort_granularity: g.name,
          cohort_start: cohort,
          period_offset: k,
          cohort_users: members.length,
          observed_users: observed.length,
          active_users: active,
          retention_rate: ratio(active, observed.length),
          retention_90d: shareTrue(members.map((u) => u.is_retained_90d)),
          retention_180d: shareTrue(members.map((u) => u.is_retained_180d)),
        });
      }
    }
  }
  return rows;
}
