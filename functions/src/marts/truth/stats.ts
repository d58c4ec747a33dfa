import { percentileCont } from "../../rfm/scoring";

/**
 * Small statistics for the oracles, each the textbook definition: nulls are skipped as SQL
 * aggregates skip them, and an empty input gives null rather than 0 or NaN.
 */

/** Rounds to cents as BigQuery does: the exact binary value, half away from zero. */
export function roundCents(value: number): number {
  return Number(value.toFixed(2));
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

export function mean(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : sum(present) / present.length;
}

/** a / b, or null when b is 0 (SQL safe_divide). */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** The share of true among the non-null flags, null when there are none. */
export function shareTrue(flags: readonly (boolean | null)[]): number | null {
  const present = flags.filter((f): f is boolean => f !== null);
  return ratio(present.filter(Boolean).length, present.length);
}

/** The exact percentile with linear interpolation of the non-null values; null when none. */
export function percentile(values: readonly (number | null)[], p: number): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : percentileCont(present, p);
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** A fraction of integers, for exact comparisons of quotients (cycles, interpolated percentiles). */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

export const fraction = (num: number | bigint, den: number | bigint = 1): Fraction => {
  const n = BigInt(num);
  const d = BigInt(den);
  if (d === 0n) throw new Error("Fraction with a zero denominator");
  return d < 0n ? { num: -n, den: -d } : { num: n, den: d };
};

export const compareFractions = (a: Fraction, b: Fraction): number => {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
};

/**
 * The percentile with linear interpolation of exact fractions, as an exact fraction: position
 * pct / 100 * (n - 1) in the sorted values, interpolated between its two neighbours.
 */
export function exactPercentile(values: readonly Fraction[], pct: number): Fraction {
  if (values.length === 0) throw new Error("exactPercentile of no values");
  const sorted = [...values].sort(compareFractions);
  const scaled = pct * (sorted.length - 1);
  const lower = Math.floor(scaled / 100);
  const rest = scaled - lower * 100;
  const low = sorted[lower]!;
  const high = sorted[Math.min(lower + 1, sorted.length - 1)]!;
  // low + (high - low) * rest / 100
  return fraction(
    low.num * high.den * 100n + (high.num * low.den - low.num * high.den) * BigInt(rest),
    low.den * high.den * 100n,
  );
}
