/**
 * The RFM score table of SPEC, in TypeScript. The snapshot SQL (sql/rfm/rfm_daily.sql) is what
 * production runs; these functions are an independent second statement of the same rules, so the
 * truth tests can recompute every buyer's scores from raw rows and compare.
 */

/** Recency score from days since the last purchase: 5 <= 90, 4 <= 180, 3 <= 365, 2 <= 545, 1 beyond. */
export function scoreRecency(daysSinceLastPurchase: number): number {
  if (!Number.isInteger(daysSinceLastPurchase) || daysSinceLastPurchase < 0) {
    throw new Error(
      `Days since last purchase must be a non-negative integer, got ${daysSinceLastPurchase}`,
    );
  }
  if (daysSinceLastPurchase <= 90) return 5;
  if (daysSinceLastPurchase <= 180) return 4;
  if (daysSinceLastPurchase <= 365) return 3;
  if (daysSinceLastPurchase <= 545) return 2;
  return 1;
}

/** Frequency score from the number of orders: 3+ = 5, 2 = 4, 1 = 3 (only buyers are scored). */
export function scoreFrequency(orders: number): number {
  if (!Number.isInteger(orders) || orders < 1) {
    throw new Error(`Only buyers are scored; orders must be an integer >= 1, got ${orders}`);
  }
  if (orders >= 3) return 5;
  if (orders === 2) return 4;
  return 3;
}

/**
 * The exact percentile with linear interpolation between closest ranks (BigQuery PERCENTILE_CONT,
 * DuckDB quantile_cont, numpy's default): position p * (n - 1) in the sorted values.
 */
export function percentileCont(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentileCont of no values");
  if (p < 0 || p > 1) throw new Error(`Percentile ${p} is outside 0..1`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower]!;
  return low + (sorted[upper]! - low) * (position - lower);
}

export interface MonetaryThresholds {
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
}

/** The monetary band edges among the snapshot's buyers. */
export function monetaryThresholds(monetaryValues: readonly number[]): MonetaryThresholds {
  return {
    p25: percentileCont(monetaryValues, 0.25),
    p50: percentileCont(monetaryValues, 0.5),
    p75: percentileCont(monetaryValues, 0.75),
    p95: percentileCont(monetaryValues, 0.95),
  };
}

/** Monetary score: the highest band whose threshold the value reaches (>=), so ties share a score. */
export function scoreMonetary(monetary: number, t: MonetaryThresholds): number {
  if (monetary >= t.p95) return 5;
  if (monetary >= t.p75) return 4;
  if (monetary >= t.p50) return 3;
  if (monetary >= t.p25) return 2;
  return 1;
}
