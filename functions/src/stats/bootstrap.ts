/**
 * Bootstrap confidence intervals: resample each group with replacement, recompute the statistic,
 * read the interval off the resampled values. No distribution is assumed, so it suits the mean
 * of heavy-tailed spend (a campaign's incremental revenue, 180-day LTV) where a t interval leans
 * on a normality the data lack at small n.
 *
 * Resampling is seeded (a 32-bit Mersenne Twister, stdlib's), so a mart's interval is the same on
 * every run. The interval arithmetic follows `scipy.stats.bootstrap` exactly: given the same
 * resampled values SciPy returns the same interval (`testing/scipy_reference.py` hands SciPy the
 * resamples this module draws).
 */
import mt19937 from "@stdlib/random-base-mt19937";
import { sortedQuantile } from "./describe";
import { normalCdf, normalQuantile } from "./distributions";

/** A statistic of one or more groups, for example the difference of two means. */
export type GroupStatistic = (...groups: readonly number[][]) => number;

export interface BootstrapOptions {
  /** Resamples drawn (default 2,000). */
  readonly resamples?: number;
  /** Seed of the resampling (default 1). */
  readonly seed?: number;
  /** Default 0.95. */
  readonly confidence?: number;
  /**
   * `bca` (default): bias-corrected and accelerated, second-order accurate, right for skewed
   * statistics; `percentile`: the plain percentiles of the resampled values.
   */
  readonly method?: "bca" | "percentile";
}

export interface BootstrapResult {
  /** The statistic on the data as given. */
  readonly estimate: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Standard deviation of the resampled statistics (SciPy's `standard_error`). */
  readonly standardError: number;
  readonly resamples: number;
  readonly method: "bca" | "percentile";
}

/**
 * The resample indices of each group, drawn group by group, resample by resample: index =
 * floor(u n / 2^32) for each 32-bit output u of MT19937 seeded with `seed` (`init_genrand`, the
 * seeding NumPy's `RandomState(seed)` uses, so the reference script can draw the same ones).
 */
export function resampleIndices(
  sizes: readonly number[],
  resamples: number,
  seed: number,
): Uint32Array[] {
  const next = mt19937.factory({ seed });
  return sizes.map((n) => {
    const indices = new Uint32Array(resamples * n);
    for (let i = 0; i < indices.length; i++) indices[i] = Math.floor((next() * n) / 4294967296);
    return indices;
  });
}

/** The statistic on every resample. */
export function bootstrapDistribution(
  groups: readonly (readonly number[])[],
  statistic: GroupStatistic,
  resamples: number,
  seed: number,
): Float64Array {
  const indices = resampleIndices(
    groups.map((g) => g.length),
    resamples,
    seed,
  );
  const values = new Float64Array(resamples);
  const buffers = groups.map((g) => new Array<number>(g.length));
  for (let b = 0; b < resamples; b++) {
    groups.forEach((group, j) => {
      const n = group.length;
      const buffer = buffers[j]!;
      const offset = b * n;
      for (let i = 0; i < n; i++) buffer[i] = group[indices[j]![offset + i]!]!;
    });
    values[b] = statistic(...buffers);
  }
  return values;
}

/**
 * The interval from resampled values, as `scipy.stats.bootstrap` computes it: percentiles by
 * linear interpolation; for BCa the bias correction from the share of resamples below the
 * estimate (ties half) and the acceleration from a jackknife of each group in turn.
 */
export function bootstrapInterval(
  groups: readonly (readonly number[])[],
  statistic: GroupStatistic,
  distribution: Float64Array,
  confidence = 0.95,
  method: "bca" | "percentile" = "bca",
): { ciLow: number; ciHigh: number; standardError: number } {
  const alpha = (1 - confidence) / 2;
  const sorted = Float64Array.from(distribution).sort();
  const values = Array.from(sorted);
  let [lowQ, highQ] = [alpha, 1 - alpha];
  if (method === "bca") {
    const estimate = statistic(...groups.map((g) => [...g]));
    let below = 0;
    let atOrBelow = 0;
    for (const v of values) {
      if (v < estimate) below++;
      if (v <= estimate) atOrBelow++;
    }
    const z0 = normalQuantile((below + atOrBelow) / (2 * values.length));
    const a = acceleration(groups, statistic);
    const zAlpha = normalQuantile(alpha);
    const adjust = (z: number) => normalCdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
    [lowQ, highQ] = [adjust(zAlpha), adjust(-zAlpha)];
  }
  const meanValue = values.reduce((s, v) => s + v, 0) / values.length;
  const squares = values.reduce((s, v) => s + (v - meanValue) ** 2, 0);
  return {
    ciLow: sortedQuantile(values, lowQ),
    ciHigh: sortedQuantile(values, highQ),
    standardError: Math.sqrt(squares / (values.length - 1)),
  };
}

/** The BCa acceleration: the jackknife skewness of the statistic, group by group (SciPy's). */
function acceleration(groups: readonly (readonly number[])[], statistic: GroupStatistic): number {
  let numerator = 0;
  let denominator = 0;
  groups.forEach((group, j) => {
    const n = group.length;
    const others = groups.map((g) => [...g]);
    const leaveOneOut = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      others[j] = [...group.slice(0, i), ...group.slice(i + 1)];
      leaveOneOut[i] = statistic(...others);
    }
    const dot = leaveOneOut.reduce((s, v) => s + v, 0) / n;
    let cubes = 0;
    let squares = 0;
    for (const v of leaveOneOut) {
      const u = (n - 1) * (dot - v);
      cubes += u ** 3;
      squares += u ** 2;
    }
    numerator += cubes / n ** 3;
    denominator += squares / n ** 2;
  });
  return numerator / (6 * denominator ** 1.5);
}

/** A seeded bootstrap interval of `statistic` over the groups. */
export function bootstrap(
  groups: readonly (readonly number[])[],
  statistic: GroupStatistic,
  options: BootstrapOptions = {},
): BootstrapResult {
  const resamples = options.resamples ?? 2000;
  const seed = options.seed ?? 1;
  const method = options.method ?? "bca";
  if (groups.some((g) => g.length < 2))
    throw new Error(
      `The bootstrap needs two values per group, got ${groups.map((g) => g.length).join(" and ")}`,
    );
  const distribution = bootstrapDistribution(groups, statistic, resamples, seed);
  const interval = bootstrapInterval(groups, statistic, distribution, options.confidence, method);
  return {
    estimate: statistic(...groups.map((g) => [...g])),
    ...interval,
    resamples,
    method,
  };
}

/** The difference of two groups' means: the statistic of an uplift in a per-user amount. */
export const differenceOfMeans: GroupStatistic = (x, y) => {
  let sx = 0;
  for (const v of x!) sx += v;
  let sy = 0;
  for (const v of y!) sy += v;
  return sx / x!.length - sy / y!.length;
};
