/**
 * Tests on proportions: two groups' rates (a campaign's reactivation in treatment vs control,
 * 14-day conversion of promo vs other signups) and one rate against a threshold (a guardrail).
 */
import { binomialCdf, normalQuantile, twoSidedNormalP } from "./distributions";

export interface TwoProportionResult {
  readonly successesA: number;
  readonly nA: number;
  readonly successesB: number;
  readonly nB: number;
  readonly rateA: number;
  readonly rateB: number;
  /** rateA - rateB: the uplift when A is the treatment. */
  readonly difference: number;
  /** z with the pooled standard error (the test under H0: equal rates). */
  readonly z: number;
  /** Pearson's chi-square of the 2 x 2 table without Yates' correction: z squared. */
  readonly chiSquare: number;
  /** Two-sided. */
  readonly pValue: number;
  /** Wald interval of the difference (unpooled standard error), at `confidence`. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Cohen's h: 2 asin(sqrt(rateA)) - 2 asin(sqrt(rateB)). */
  readonly cohensH: number;
  /** rateA / rateB - 1; null when rateB is 0. */
  readonly relativeLift: number | null;
}

function assertCounts(successes: number, n: number, label: string): void {
  if (
    !Number.isInteger(n) ||
    n < 1 ||
    !Number.isInteger(successes) ||
    successes < 0 ||
    successes > n
  )
    throw new Error(
      `${label}: need whole counts with 0 <= successes <= n and n >= 1, got ${successes} of ${n}`,
    );
}

/**
 * The two-proportion z-test, identical to the chi-square test of the 2 x 2 table without
 * continuity correction (`scipy.stats.chi2_contingency(table, correction=False)`): z squared is
 * the chi-square and the p-values are equal. The interval uses each group's own variance, since
 * under the alternative the rates differ.
 */
export function twoProportionTest(
  successesA: number,
  nA: number,
  successesB: number,
  nB: number,
  confidence = 0.95,
): TwoProportionResult {
  assertCounts(successesA, nA, "group A");
  assertCounts(successesB, nB, "group B");
  const rateA = successesA / nA;
  const rateB = successesB / nB;
  const pooled = (successesA + successesB) / (nA + nB);
  const difference = rateA - rateB;
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  const z = pooledSe === 0 ? 0 : difference / pooledSe;
  const se = Math.sqrt((rateA * (1 - rateA)) / nA + (rateB * (1 - rateB)) / nB);
  const margin = normalQuantile(0.5 + confidence / 2) * se;
  return {
    successesA,
    nA,
    successesB,
    nB,
    rateA,
    rateB,
    difference,
    z,
    chiSquare: z * z,
    pValue: pooledSe === 0 ? 1 : twoSidedNormalP(z),
    ciLow: difference - margin,
    ciHigh: difference + margin,
    cohensH: 2 * Math.asin(Math.sqrt(rateA)) - 2 * Math.asin(Math.sqrt(rateB)),
    relativeLift: rateB === 0 ? null : rateA / rateB - 1,
  };
}

export interface RateAgainstThresholdResult {
  readonly successes: number;
  readonly n: number;
  readonly rate: number;
  readonly threshold: number;
  /** One-sided exact binomial p-value of H1: the true rate exceeds the threshold. */
  readonly pValueAbove: number;
  /** Two-sided Wilson score interval of the rate, at `confidence`. */
  readonly ciLow: number;
  readonly ciHigh: number;
}

/**
 * A rate against a threshold, as a guardrail reads it: `scipy.stats.binomtest(k, n, threshold,
 * alternative="greater")` for the p-value and the two-sided Wilson interval
 * (`binomtest(k, n).proportion_ci(confidence, method="wilson")`), which behaves well for the
 * small rates guardrails watch, where the Wald interval dips below zero.
 */
export function rateAgainstThreshold(
  successes: number,
  n: number,
  threshold: number,
  confidence = 0.95,
): RateAgainstThresholdResult {
  assertCounts(successes, n, "rate");
  if (!(threshold > 0 && threshold < 1))
    throw new Error(`threshold must lie strictly between 0 and 1, got ${threshold}`);
  const rate = successes / n;
  const z = normalQuantile(0.5 + confidence / 2);
  const denominator = 2 * (n + z * z);
  const center = (2 * n * rate + z * z) / denominator;
  const delta = (z / denominator) * Math.sqrt(4 * n * rate * (1 - rate) + z * z);
  return {
    successes,
    n,
    rate,
    threshold,
    pValueAbove: successes === 0 ? 1 : 1 - binomialCdf(successes - 1, n, threshold),
    ciLow: successes === 0 ? 0 : center - delta,
    ciHigh: successes === n ? 1 : center + delta,
  };
}
