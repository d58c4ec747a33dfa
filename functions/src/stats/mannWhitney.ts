/**
 * The Mann-Whitney U test (Wilcoxon rank-sum): do values of one group tend to be larger than the
 * other's? It compares ranks, so one huge order cannot carry it, which matters for heavy-tailed
 * spend such as 180-day LTV. It tests stochastic ordering, not a difference in medians.
 */
import { median } from "./describe";
import { normalCdf } from "./distributions";

export interface MannWhitneyResult {
  readonly nX: number;
  readonly nY: number;
  readonly medianX: number;
  readonly medianY: number;
  /** U of the first sample: R_x - n_x (n_x + 1) / 2 (SciPy's `statistic`). */
  readonly statistic: number;
  /** Two-sided. */
  readonly pValue: number;
  /** `exact` (small samples without ties) or `asymptotic` (normal, tie and continuity corrected). */
  readonly method: "exact" | "asymptotic";
  /** The z of the asymptotic method (null for exact). */
  readonly z: number | null;
  /**
   * Rank-biserial correlation 2 U / (n_x n_y) - 1, in [-1, 1]: positive when x tends to be larger
   * (the probability that a random x beats a random y, ties half, rescaled).
   */
  readonly rankBiserial: number;
}

/** Average ranks (1-based) of `values`, and the sizes of the tied groups. */
export function averageRanks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(values.length);
  const ties: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i]!] = rank;
    ties.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, ties };
}

/**
 * P(U >= u) under the null for samples of sizes m and n without ties: the coefficients of the
 * Gaussian binomial [m + n choose m]_q, built as the product of (1 - q^(n+i)) / (1 - q^i) for
 * i = 1..m, so the cost is O(m^2 n) for the smaller m, not the O((m n)^2) of the usual recursion.
 */
export function exactUpperTail(m: number, n: number, u: number): number {
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  const degree = small * large;
  let coefficients = new Float64Array(degree + 1);
  coefficients[0] = 1;
  for (let i = 1; i <= small; i++) {
    // Multiply by (1 - q^(large + i)), then divide by (1 - q^i): a running sum with stride i.
    const next = Float64Array.from(coefficients);
    for (let k = degree; k >= large + i; k--) next[k]! -= coefficients[k - large - i]!;
    for (let k = i; k <= degree; k++) next[k]! += next[k - i]!;
    coefficients = next;
  }
  let total = 0;
  let tail = 0;
  for (let k = 0; k <= degree; k++) {
    total += coefficients[k]!;
    if (k >= u) tail += coefficients[k]!;
  }
  return tail / total;
}

/**
 * `scipy.stats.mannwhitneyu(x, y, alternative="two-sided")` with SciPy's automatic method: exact
 * when either sample has at most 8 values and there are no ties, else the normal approximation
 * with the tie correction and a continuity correction of 0.5.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const nX = x.length;
  const nY = y.length;
  if (nX === 0 || nY === 0)
    throw new Error(`The Mann-Whitney U test needs values in both groups, got ${nX} and ${nY}`);
  const { ranks, ties } = averageRanks([...x, ...y]);
  let rankSumX = 0;
  for (let i = 0; i < nX; i++) rankSumX += ranks[i]!;
  const u1 = rankSumX - (nX * (nX + 1)) / 2;
  const u2 = nX * nY - u1;
  const u = Math.max(u1, u2);
  const hasTies = ties.some((t) => t > 1);
  const method = (nX > 8 && nY > 8) || hasTies ? "asymptotic" : "exact";
  let pValue: number;
  let z: number | null = null;
  if (method === "exact") {
    pValue = 2 * exactUpperTail(nX, nY, u);
  } else {
    const n = nX + nY;
    const tieTerm = ties.reduce((sum, t) => sum + (t ** 3 - t), 0);
    const s = Math.sqrt(((nX * nY) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    z = (u - (nX * nY) / 2 - 0.5) / s;
    pValue = 2 * normalCdf(-z);
  }
  return {
    nX,
    nY,
    medianX: median(x),
    medianY: median(y),
    statistic: u1,
    pValue: Math.min(1, Math.max(0, pValue)),
    method,
    z,
    rankBiserial: (2 * u1) / (nX * nY) - 1,
  };
}
