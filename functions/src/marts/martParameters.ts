import { mapOutsideCommentsAndStrings, sqlLiteral } from "../sql/render";
import { readSql } from "../sql/sqlFiles";
import type { MartDeclaration } from "./catalog";

/**
 * Every threshold and window the marts apply, declared once. The mart SQL names them as query
 * parameters (`@conversion_days_short`) and holds no literal for any of them; the local runner and
 * the cloud both render these values into the query text before it runs (a BigQuery scheduled
 * query binds only `@run_date` and `@run_time`, so a constant must travel inside the text).
 *
 * All values are non-negative integers, so every comparison they take part in is integer
 * arithmetic: fractions are written in percent (`consistency_high_max_cv_pct: 50` is a CV of
 * 0.5) and the SQL cross-multiplies rather than divides. A column whose name states a window
 * (`is_converted_14d`) states the value here: changing a window is changing a definition, and
 * its columns must be renamed with it (a test holds the names to these values).
 */
export const MART_PARAMETERS = {
  /** Short-term conversion (the main KPI): first purchase on days 0..13 after signup. */
  conversion_days_short: 14,
  /** Secondary conversion, and the window of time-to-convert: days 0..29. */
  conversion_days_long: 30,
  /** 180-day LTV: revenue of orders on days 0..179; defined once day 180 is observed. */
  ltv_days: 180,
  /** Retention at 90 / 180 days: a session on days N..N + window - 1. */
  retention_start_day_early: 90,
  retention_start_day_late: 180,
  retention_window_days: 30,
  /** The early rhythm read by the consistency tiers: days 0..27 after signup. */
  rhythm_days: 28,
  /** Fewer active days than this in the rhythm window is 'Sparse' (no rhythm to read). */
  rhythm_min_active_days: 3,
  /** Consistency tiers: High when the gap CV <= 0.50, Medium when <= 1.00, else Low. */
  consistency_high_max_cv_pct: 50,
  consistency_medium_max_cv_pct: 100,
  /** CLTV tiers among users who spent in their 180 days: High >= P66, Mid >= P33, else Low. */
  cltv_high_min_percentile: 66,
  cltv_mid_min_percentile: 33,
  /** Churn risk by days since the last purchase: Active <= 60, Cooling <= 120, At risk <= 180. */
  churn_active_max_days: 60,
  churn_cooling_max_days: 120,
  churn_after_days: 180,
  /** The reactivation list: silence beyond this percentile of the tier's purchase cycles. */
  reactivation_cycle_percentile: 75,
  /** Cohort periods: 7 days for weekly cohorts, 30 for monthly, offsets 0..120. */
  cohort_week_days: 7,
  cohort_month_days: 30,
  cohort_max_period: 120,
  /**
   * The first day after signup whose session counts as a return in the cohort table. Every user
   * is active on day 0 (the signup visit), so counting it made period 0 retention 1.0 by
   * construction; from day 1, period 0 is "came back within the first week / month".
   */
  cohort_first_return_day: 1,
  /** WAU / MAU: users active in the trailing 7 / 30 days ending on the day. */
  active_week_days: 7,
  active_month_days: 30,
  /** Lorenz-curve points every 5% of users (0, 5, ..., 100). */
  lorenz_step_pct: 5,
  /**
   * The Pareto share: revenue of the top 20% of users (`top_20pct_revenue_share`, named after
   * it). A parameter like every share, so no mart holds a threshold as a literal.
   */
  pareto_top_pct: 20,
  /**
   * A campaign's windows, counted from its day (day 0): reactivation within 7 / 14 / 28 days is an
   * order on days 0..6 / 0..13 / 0..27, and activity before / after the campaign at weeks 1, 2
   * and 4 a session in the 7 / 14 / 28 days before it / from it.
   */
  campaign_window_days_short: 7,
  campaign_window_days_mid: 14,
  campaign_window_days_long: 28,
  /** The guardrail: at most 5% of messaged users may block notifications. */
  guardrail_block_rate_max_pct: 5,
  /** Campaign ROI: the cost is 20% of the incremental revenue... */
  roi_cost_pct_of_incremental_revenue: 20,
  /** ...plus this much per message sent, in cents (none by default, as in the RFM study). */
  roi_cost_per_message_cents: 0,
} as const satisfies Record<string, number>;

export type MartParameterName = keyof typeof MART_PARAMETERS;
export type MartParameters = Record<MartParameterName, number>;

const PARAMETER_RE = /(?<![@\w])@([A-Za-z_]\w*)/g;

/**
 * Renders the mart parameters into SQL text as integer literals, leaving every other `@name`
 * (`@run_date`, `@snapshot_date`) for the runner to bind. Comments and strings are untouched.
 */
export function renderMartParameters(
  sql: string,
  values: MartParameters = MART_PARAMETERS,
): string {
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`Mart parameter ${name} must be a non-negative integer, got ${value}`);
    }
  }
  return mapOutsideCommentsAndStrings(sql, (code) =>
    code.replace(PARAMETER_RE, (match, name: string) =>
      name in values ? sqlLiteral(values[name as MartParameterName]) : match,
    ),
  );
}

/**
 * A mart's SQL as it runs: its file with the mart parameters rendered in. The local runner, the
 * differential harness and the cloud's scheduled queries all read a mart through this.
 */
export function martSql(decl: Pick<MartDeclaration, "file">): string {
  return renderMartParameters(readSql(decl.file));
}
