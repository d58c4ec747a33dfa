/**
 * Welch's two-sample t-test: the difference in means without assuming equal variances, with
 * Welch-Satterthwaite degrees of freedom. The shop's metrics (LTV, AOV) have very different
 * spreads between segments, which is exactly when Student's pooled test misleads.
 */
import { mean, variance } from "./describe";
import { tCdf, tQuantile } from "./distributions";

export interface WelchResult {
  readonly nX: number;
  readonly nY: number;
  readonly meanX: number;
  readonly meanY: number;
  /** meanX - meanY. */
  readonly difference: number;
  readonly statistic: number;
  readonly df: number;
  /** Two-sided. */
  readonly pValue: number;
  /** Confidence interval of meanX - meanY, at `confidence`. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Cohen's d: the difference over the pooled standard deviation. */
  readonly cohensD: number;
}

/**
 * `scipy.stats.ttest_ind(x, y, equal_var=False)` and its `confidence_interval(confidence)`.
 * Needs two values in each group; with no variance in either group the statistic is undefined
 * (NaN), as in SciPy.
 */
export function welchTTest(
  x: readonly number[],
  y: readonly number[],
  confidence = 0.95,
): WelchResult {
  if (x.length < 2 || y.length < 2)
    throw new Error(`Welch's t-test needs two values per group, got ${x.length} and ${y.length}`);
  const nX = x.length;
  const nY = y.length;
  const meanX = mean(x);
  const meanY = mean(y);
  const vx = variance(x);
  const vy = variance(y);
  const ax = vx / nX;
  const ay = vy / nY;
  const se = Math.sqrt(ax + ay);
  const difference = meanX - meanY;
  const statistic = difference / se;
  const df = (ax + ay) ** 2 / (ax ** 2 / (nX - 1) + ay ** 2 / (nY - 1));
  const pValue = Math.min(1, 2 * tCdf(-Math.abs(statistic), df));
  const margin = tQuantile(0.5 + confidence / 2, df) * se;
  const pooledSd = Math.sqrt(((nX - 1) * vx + (nY - 1) * vy) / (nX + nY - 2));
  return {
    nX,
    nY,
    meanX,
    meanY,
    difference,
    statistic,
    df,
    pValue,
    ciLow: difference - margin,
    ciHigh: difference + margin,
    cohensD: difference / pooledSd,
  };
}
