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
import { sortedQuantile } from "./describe";
import { normalCdf, normalQuantile } from "./distributions";

/**
 * A statistic of one or more groups, for example the difference of two means. `leaveOneOut`, when
 * given, returns the statistic with each value of group `j` left out in turn: the BCa jackknife
 * otherwise calls the statistic once per value, quadratic in the group's size (a second for two
 * groups of 8,000 users).
 */
export type GroupStatistic = ((...groups: readonly number[][]) => number) & {
  readonly leaveOneOut?: (groups: readonly (readonly number[])[], j: number) => Float64Array;
  /**
   * The statistic from each group's sum and size, when that is all it reads: the bootstrap then
   * adds up each resample as it draws it instead of building the resampled groups first. It must
   * give what the statistic gives on groups whose elements add up, in order, to those sums.
   */
  readonly ofSums?: (sums: readonly number[], sizes: readonly number[]) => number;
};

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
  const generator = new Mt19937(seed);
  return sizes.map((n) => {
    const indices = new Uint32Array(resamples * n);
    for (let i = 0; i < indices.length; i++) indices[i] = generator.below(n);
    return indices;
  });
}

/** MT19937's state size and the offset of its recurrence. */
const MT_N = 624;
const MT_M = 397;

/**
 * MT19937 seeded by `init_genrand(seed)`: the 32-bit stream of stdlib's
 * `mt19937.factory({ seed })` and of NumPy's `RandomState(seed)` (a test compares it with
 * stdlib's). Written out here because stdlib's generator checks and wraps every call, which was
 * most of a bootstrap's time: 2,000 resamples of two groups of 8,000 users draw 32M numbers.
 */
export class Mt19937 {
  private readonly state = new Uint32Array(MT_N);
  private index = MT_N;

  constructor(seed: number) {
    const state = this.state;
    state[0] = seed >>> 0;
    for (let i = 1; i < MT_N; i++) {
      const previous = state[i - 1]! ^ (state[i - 1]! >>> 30);
      state[i] = (Math.imul(1812433253, previous) + i) >>> 0;
    }
  }

  /** The next 32-bit output. */
  next(): number {
    if (this.index >= MT_N) this.refill();
    return temper(this.state[this.index++]!);
  }

  /** floor(u n / 2^32) for the next output u: a uniform index below n (NumPy's old rule). */
  below(n: number): number {
    return Math.floor((this.next() * n) / 4294967296);
  }

  /** Moves past `count` outputs. */
  skip(count: number): void {
    let left = count;
    while (left > 0) {
      if (this.index >= MT_N) this.refill();
      const step = Math.min(left, MT_N - this.index);
      this.index += step;
      left -= step;
    }
  }

  private refill(): void {
    const state = this.state;
    for (let i = 0; i < MT_N; i++) {
      const y = (state[i]! & 0x80000000) | (state[i + 1 < MT_N ? i + 1 : 0]! & 0x7fffffff);
      const k = i + MT_M < MT_N ? i + MT_M : i + MT_M - MT_N;
      state[i] = state[k]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}

function temper(word: number): number {
  let y = word;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  y ^= y >>> 18;
  return y >>> 0;
}

/** The statistic on every resample. */
export function bootstrapDistribution(
  groups: readonly (readonly number[])[],
  statistic: GroupStatistic,
  resamples: number,
  seed: number,
): Float64Array {
  // The indices of `resampleIndices`, drawn as they are used, so no resamples x n table is held
  // (2,000 x 160,000 indices would be over a gigabyte at 10x users).
  const values = new Float64Array(resamples);
  const ofSums = statistic.ofSums;
  if (ofSums) {
    // Group after group, as the one stream orders the draws: each resample's sum per group is
    // all the statistic needs, so one generator runs through the stream once. Starting a
    // generator per group skipped over the earlier groups' draws, which cost as much as drawing
    // them: the significance tests took 0.20-0.23 s instead of 0.27-0.32 s at the reference scale.
    const generator = new Mt19937(seed);
    const sums = groups.map((group) => {
      const n = group.length;
      const totals = new Float64Array(resamples);
      for (let b = 0; b < resamples; b++) {
        let total = 0;
        for (let i = 0; i < n; i++) total += group[generator.below(n)]!;
        totals[b] = total;
      }
      return totals;
    });
    const sizes = groups.map((g) => g.length);
    for (let b = 0; b < resamples; b++)
      values[b] = ofSums(
        sums.map((totals) => totals[b]!),
        sizes,
      );
    return values;
  }
  // A statistic of the resampled values needs every group's resample at once: one generator per
  // group, each started where that group's draws begin in the stream (after every earlier group's).
  let drawsBefore = 0;
  const generators = groups.map((g) => {
    const generator = new Mt19937(seed);
    generator.skip(drawsBefore);
    drawsBefore += resamples * g.length;
    return generator;
  });
  const buffers = groups.map((g) => new Array<number>(g.length));
  for (let b = 0; b < resamples; b++) {
    groups.forEach((group, j) => {
      const n = group.length;
      const buffer = buffers[j]!;
      const generator = generators[j]!;
      for (let i = 0; i < n; i++) buffer[i] = group[generator.below(n)]!;
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
export function acceleration(
  groups: readonly (readonly number[])[],
  statistic: GroupStatistic,
): number {
  let numerator = 0;
  let denominator = 0;
  groups.forEach((group, j) => {
    const n = group.length;
    const leaveOneOut = statistic.leaveOneOut?.(groups, j) ?? jackknife(groups, statistic, j);
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

/** The statistic with each value of group `j` left out in turn, by calling it on each. */
function jackknife(
  groups: readonly (readonly number[])[],
  statistic: GroupStatistic,
  j: number,
): Float64Array {
  const group = groups[j]!;
  const n = group.length;
  const others = groups.map((g) => [...g]);
  const leaveOneOut = new Float64Array(n);
  // One buffer holds the group without element i, in the group's order: after leaving out i,
  // putting group[i] back at position i leaves out i + 1 instead (a fresh slice per i made this
  // quadratic in allocations as well).
  const without = group.slice(1);
  others[j] = without;
  for (let i = 0; i < n; i++) {
    leaveOneOut[i] = statistic(...others);
    if (i < n - 1) without[i] = group[i]!;
  }
  return leaveOneOut;
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
export const differenceOfMeans: GroupStatistic = Object.assign(
  (x: readonly number[], y: readonly number[]) => sum(x) / x.length - sum(y) / y.length,
  {
    ofSums: (sums: readonly number[], sizes: readonly number[]) =>
      sums[0]! / sizes[0]! - sums[1]! / sizes[1]!,
    /** Leaving x_i out of a group of n with sum S moves its mean to (S - x_i) / (n - 1). */
    leaveOneOut(groups: readonly (readonly number[])[], j: number): Float64Array {
      const [x, y] = groups as [readonly number[], readonly number[]];
      const group = groups[j]!;
      const [sx, sy] = [sum(x), sum(y)];
      const total = j === 0 ? sx : sy;
      const out = new Float64Array(group.length);
      for (let i = 0; i < group.length; i++) {
        const without = (total - group[i]!) / (group.length - 1);
        out[i] = j === 0 ? without - sy / y.length : sx / x.length - without;
      }
      return out;
    },
  },
);

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
