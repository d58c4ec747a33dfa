/**
 * Nelder-Mead minimisation (Nelder and Mead 1965) with the standard coefficients (reflection 1,
 * expansion 2, contraction 0.5, shrink 0.5), the variant SciPy's `minimize(method=
 * "Nelder-Mead")` runs. Written here because no maintained optimiser on the registry loads as
 * CommonJS without dead weight: `fmin` 0.0.4 ships a bundle typed as an ES module that exports
 * nothing under `require`, and 0.0.2 installs its build tools (rollup 0.25, tape, about a
 * hundred packages) as runtime dependencies of the deployed function.
 */
export interface NelderMeadOptions {
  /** Stop after this many iterations; default 200 per dimension. */
  readonly maxIterations?: number;
  /** Stop when every vertex is within this of the best one, coordinate by coordinate. */
  readonly xTolerance?: number;
  /** ...and every vertex's value within this of the best one. */
  readonly fTolerance?: number;
  /** The first simplex's step along each non-zero coordinate, relative to it; default 0.05. */
  readonly initialStep?: number;
  /** The first simplex's step along each coordinate that is 0; default 0.00025. */
  readonly zeroStep?: number;
}

export interface NelderMeadResult {
  readonly x: number[];
  readonly fx: number;
  readonly iterations: number;
}

interface Vertex {
  x: number[];
  fx: number;
}

export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 200 * n;
  const xTolerance = options.xTolerance ?? 1e-4;
  const fTolerance = options.fTolerance ?? 1e-4;
  const step = options.initialStep ?? 0.05;
  const zeroStep = options.zeroStep ?? 0.00025;
  const vertex = (x: number[]): Vertex => ({ x, fx: f(x) });
  // SciPy's initial simplex by default: each coordinate moved by 5% of itself (0.00025 at 0).
  const simplex: Vertex[] = [vertex([...start])];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = x[i] !== 0 ? x[i]! * (1 + step) : zeroStep;
    simplex.push(vertex(x));
  }
  const along = (from: readonly number[], to: readonly number[], t: number) =>
    from.map((v, i) => v + t * (to[i]! - v));

  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((a, b) => a.fx - b.fx);
    const best = simplex[0]!;
    const converged = simplex.every(
      (v) =>
        Math.abs(v.fx - best.fx) <= fTolerance &&
        v.x.every((c, i) => Math.abs(c - best.x[i]!) <= xTolerance),
    );
    if (converged) break;
    const worst = simplex[n]!;
    const centroid = new Array<number>(n).fill(0);
    for (const v of simplex.slice(0, n)) v.x.forEach((c, i) => (centroid[i]! += c / n));

    // Points on the line from the centroid through the worst vertex: t = -1 reflects it.
    const reflected = vertex(along(centroid, worst.x, -1));
    if (reflected.fx < best.fx) {
      const expanded = vertex(along(centroid, worst.x, -2));
      simplex[n] = expanded.fx < reflected.fx ? expanded : reflected;
    } else if (reflected.fx < simplex[n - 1]!.fx) {
      simplex[n] = reflected;
    } else {
      const outside = reflected.fx < worst.fx;
      const contracted = vertex(along(centroid, worst.x, outside ? -0.5 : 0.5));
      if (contracted.fx < (outside ? reflected.fx : worst.fx)) {
        simplex[n] = contracted;
      } else {
        for (let i = 1; i <= n; i++) simplex[i] = vertex(along(best.x, simplex[i]!.x, 0.5));
      }
    }
  }
  simplex.sort((a, b) => a.fx - b.fx);
  return { x: simplex[0]!.x, fx: simplex[0]!.fx, iterations };
}
