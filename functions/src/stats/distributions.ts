/**
 * The distribution functions the tests need, from stdlib (maintained, tested against reference
 * implementations) rather than written here: a hand-rolled tail probability is where p-values
 * quietly go wrong.
 */
import binomialCdfImpl from "@stdlib/stats-base-dists-binomial-cdf";
import normalCdfImpl from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantileImpl from "@stdlib/stats-base-dists-normal-quantile";
import tCdfImpl from "@stdlib/stats-base-dists-t-cdf";
import tQuantileImpl from "@stdlib/stats-base-dists-t-quantile";

/** P(Z <= z) for a standard normal Z. */
export function normalCdf(z: number): number {
  return normalCdfImpl(z, 0, 1);
}

/** The standard normal quantile: z with P(Z <= z) = p. */
export function normalQuantile(p: number): number {
  return normalQuantileImpl(p, 0, 1);
}

/** P(T <= t) for Student's t with `df` degrees of freedom (df need not be an integer). */
export function tCdf(t: number, df: number): number {
  return tCdfImpl(t, df);
}

/** Student's t quantile with `df` degrees of freedom. */
export function tQuantile(p: number, df: number): number {
  return tQuantileImpl(p, df);
}

/** P(X <= k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  return binomialCdfImpl(k, n, p);
}

/**
 * Two-sided p-value of a standard normal statistic, from the lower tail of -|z| (accurate far
 * into the tail, where 1 - cdf would round to 0).
 */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}
