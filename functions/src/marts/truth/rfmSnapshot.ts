import { dayDate, type TruthRaw } from "./rawRows";
import { computeRfmScores } from "./rfmScores";
import { groupBy, mean, ratio, roundCents, sum } from "./stats";

/** One row of the segment mapping table (snapshots.rfm_segment_map, the one definition). */
export interface SegmentMapRow {
  readonly recency_score: number;
  readonly frequency_score: number;
  readonly monetary_score: number;
  readonly segment: string;
}

export interface RfmDailyTruth {
  snapshot_date: string;
  user_id: string;
  user_type: string;
  marketing_source: string;
  last_purchase_date: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  recency_score: number;
  frequency_score: number;
  monetary_score: number;
  rfm_code: string;
  segment: string;
}

/**
 * rfm_daily for one snapshot day: each buyer's scores from the TypeScript score table, and the
 * segment the mapping table gives that (R, F, M).
 */
export function rfmDailyTruth(
  raw: TruthRaw,
  snapshotDay: number,
  segmentMap: readonly SegmentMapRow[],
): RfmDailyTruth[] {
  const segmentOf = new Map(
    segmentMap.map((m) => [`${m.recency_score}${m.frequency_score}${m.monetary_score}`, m.segment]),
  );
  const users = new Map(raw.users.map((u) => [u.user_id, u]));
  return [...computeRfmScores(raw, snapshotDay)].map(([userId, s]) => {
    const code = `${s.recency_score}${s.frequency_score}${s.monetary_score}`;
    return {
      snapshot_date: dayDate(snapshotDay),
      user_id: userId,
      user_type: users.get(userId)!.user_type,
      marketing_source: users.get(userId)!.marketing_source,
      last_purchase_date: dayDate(snapshotDay - s.recency_days),
      ...s,
      rfm_code: code,
      segment: segmentOf.get(code) ?? "(unmapped)",
    };
  });
}

export interface RfmSegmentTruth {
  snapshot_date: string;
  segment: string;
  users: number;
  user_share: number | null;
  revenue: number;
  revenue_share: number | null;
  avg_monetary: number | null;
  avg_recency_days: number | null;
  avg_frequency: number | null;
}

/** dm_rfm_segments for the snapshot: every segment of the mapping table, empty ones at zero. */
export function rfmSegmentsTruth(
  snapshot: readonly RfmDailyTruth[],
  snapshotDay: number,
  segmentMap: readonly SegmentMapRow[],
): RfmSegmentTruth[] {
  const bySegment = groupBy(snapshot, (r) => r.segment);
  const totalRevenue = sum(snapshot.map((r) => r.monetary));
  return [...new Set(segmentMap.map((m) => m.segment))].map((segment) => {
    const members = bySegment.get(segment) ?? [];
    const revenue = sum(members.map((r) => r.monetary));
    const avgMonetary = mean(members.map((r) => r.monetary));
    return {
      snapshot_date: dayDate(snapshotDay),
      segment,
      users: members.length,
      user_share: ratio(members.length, snapshot.length),
      revenue: roundCents(revenue),
      revenue_share: ratio(revenue, totalRevenue),
      avg_monetary: avgMonetary === null ? null : roundCents(avgMonetary),
      avg_recency_days: mean(members.map((r) => r.recency_days)),
      avg_frequency: mean(members.map((r) => r.frequency)),
    };
  });
}
