import type { MartParameters } from "../martParameters";
import { behaviorConsistencyTruth } from "./behaviorConsistency";
import { campaignRoiTruth, campaignSummaryTruth, campaignUsersTruth } from "./campaign";
import { categoryPerformanceTruth } from "./categoryPerformance";
import { churnRiskTruth } from "./churnRisk";
import { clvSegmentsTruth, type ClvFitRow } from "./clvSegments";
import { cohortRetentionTruth } from "./cohortRetention";
import { kpiDailyTruth } from "./kpiDaily";
import { funnelDailyTruth, funnelSessionsTruth } from "./funnel";
import { ltvDistributionTruth, ltvGroups, ltvLorenzTruth } from "./ltvDistribution";
import { epochDay, type TruthRaw } from "./rawRows";
import { rfmDailyTruth, rfmSegmentsTruth, type SegmentMapRow } from "./rfmSnapshot";
import { acquisitionQualityTruth, promoEffectTruth, tradeoffSummaryTruth } from "./segments";
import { userPurchaseSummaryTruth } from "./userPurchaseSummary";

/** A row as the oracles and the comparison see it: column name to value. */
export type TruthRow = Record<string, string | number | boolean | null>;

/**
 * Every mart with an oracle, and the columns that identify a row (its grain). rfm_segment_map is
 * itself the definition the RFM oracles read.
 */
export const ORACLE_KEYS = {
  dm_user_purchase_summary: ["user_id"],
  dm_behavior_consistency: ["user_id"],
  dm_category_performance: ["category", "order_month"],
  dm_funnel_sessions: ["session_id"],
  dm_funnel_daily: ["session_date", "device", "user_type", "is_promo"],
  dm_cohort_retention: ["cohort_granularity", "cohort_start", "period_offset"],
  dm_ltv_distribution: ["population", "user_type", "consistency_tier"],
  dm_ltv_lorenz: ["population", "user_type", "consistency_tier", "user_share_pct"],
  dm_tradeoff_summary: ["segment_type", "segment"],
  dm_promo_effect: ["signup_promo", "user_type"],
  dm_kpi_daily: ["kpi_date"],
  dm_churn_risk: ["user_id"],
  dm_acquisition_quality: ["dimension", "dimension_value"],
  rfm_daily: ["snapshot_date", "user_id"],
  dm_rfm_segments: ["snapshot_date", "segment"],
  dm_campaign_users: ["campaign_id", "user_id"],
  dm_campaign_summary: ["campaign_id", "experiment_group"],
  dm_campaign_roi: ["segment"],
  dm_clv_segments: ["snapshot_date", "segment"],
} as const satisfies Record<string, readonly string[]>;

export type OracleMart = keyof typeof ORACLE_KEYS;

/**
 * Every oracle's rows for one shop and run date: each mart recomputed in TypeScript from raw
 * rows, the aggregates from the user-level recomputations (never from a mart). The RFM oracles
 * read the segment mapping table, which is the one definition of the segments.
 */
export function computeShopTruth(
  raw: TruthRaw,
  runDate: string,
  P: MartParameters,
  segmentMap: readonly SegmentMapRow[],
  /** The first day of the date-spine marts' range (dm_kpi_daily); default the run date. */
  fromDate: string = runDate,
  /** The CLV fits (`snapshots.clv_fit`): the CLV oracle reads their parameters. */
  clvFits: readonly ClvFitRow[] = [],
  /**
   * Columns a source lacks, per mart (`martCoverage`'s `nullColumns`): null in the user-level
   * rows before anything is aggregated from them, as the runner leaves them in the marts.
   */
  nullColumns: Readonly<Record<string, readonly string[]>> = {},
): Record<OracleMart, TruthRow[]> {
  const runDay = epochDay(runDate);
  const blank = <T extends object>(mart: string, rows: T[]): T[] => {
    const columns = nullColumns[mart] ?? [];
    return columns.length === 0
      ? rows
      : rows.map((r) => ({ ...r, ...Object.fromEntries(columns.map((c) => [c, null])) }));
  };
  const users = blank("dm_user_purchase_summary", userPurchaseSummaryTruth(raw, runDay, P));
  const behavior = blank("dm_behavior_consistency", behaviorConsistencyTruth(raw, runDay, P));
  const sessions = funnelSessionsTruth(raw, runDay);
  const groups = ltvGroups(users, behavior);
  const rfm = rfmDailyTruth(raw, runDay, segmentMap);
  const vips = new Set(rfm.filter((r) => r.segment === "VIP Champions").map((r) => r.user_id));
  const churn = churnRiskTruth(raw, runDay, P);
  const campaignUsers = campaignUsersTruth(raw, runDay, P);
  const rows = (values: readonly object[]) => values as unknown as TruthRow[];
  const truth: Record<OracleMart, TruthRow[]> = {
    dm_user_purchase_summary: rows(users.map(({ signupDay: _signupDay, ...columns }) => columns)),
    dm_behavior_consistency: rows(behavior),
    dm_category_performance: rows(categoryPerformanceTruth(raw, runDay)),
    dm_funnel_sessions: rows(sessions),
    dm_funnel_daily: rows(funnelDailyTruth(sessions)),
    dm_cohort_retention: rows(cohortRetentionTruth(raw, users, runDay, P)),
    dm_ltv_distribution: rows(ltvDistributionTruth(groups)),
    dm_ltv_lorenz: rows(ltvLorenzTruth(groups, P)),
    dm_tradeoff_summary: rows(tradeoffSummaryTruth(users, behavior, P)),
    dm_promo_effect: rows(promoEffectTruth(users, P)),
    dm_kpi_daily: rows(kpiDailyTruth(raw, epochDay(fromDate), runDay, P)),
    dm_churn_risk: rows(churn),
    dm_acquisition_quality: rows(acquisitionQualityTruth(users, vips, P)),
    rfm_daily: rows(rfm),
    dm_rfm_segments: rows(rfmSegmentsTruth(rfm, runDay, segmentMap)),
    dm_campaign_users: rows(campaignUsers),
    dm_campaign_summary: rows(campaignSummaryTruth(campaignUsers, P)),
    dm_campaign_roi: rows(campaignRoiTruth(raw, runDay, P, campaignUsers, rfm, churn, segmentMap)),
    dm_clv_segments: rows(clvSegmentsTruth(raw, rfm, clvFits, segmentMap)),
  };
  for (const mart of Object.keys(truth) as OracleMart[])
    truth[mart] = blank(mart, truth[mart]) as TruthRow[];
  return truth;
}
