import { nelderMead } from "./nelderMead";

/** What a maximum-likelihood fit found. */
export interface Maximum {
  /** The parameters at the maximum, on their natural (positive) scale. */
  readonly params: readonly number[];
  readonly logLikelihood: number;
  /** Nelder-Mead runs made; each restarts from the previous best with a fresh simplex. */
  readonly restarts: number;
}

/** Nelder-Mead runs at most; the fits here settle in two or three. */
const MAX_RESTARTS = 8;
/** A restart that gains less log-likelihood than this ends the search. */
const GAIN_TOLERANCE = 1e-9;

/**
 * Maximises a log-likelihood over strictly positive parameters with Nelder-Mead, on
 * their logarithms so the search is unconstrained (the same reparametrisation as the `lifetimes`
 * package). Nelder-Mead's simplex can collapse before the maximum on a ridge, so the search is
 * restarted from its best point with a new simplex until a run gains nothing: that is what lets
 * it reach the published CDNOW parameters to four digits. A likelihood that is not finite at the
 * start, or at the end, is an error, never a silently bad fit.
 */
export function maximizePositive(
  logLikelihood: (params: readonly number[]) => number,
  start: readonly number[],
  name: string,
): Maximum {
  if (start.some((v) => !(v > 0))) throw new Error(`${name}: start values must be positive`);
  const objective = (logs: readonly number[]) => {
    const value = logLikelihood(logs.map(Math.exp));
    // Nelder-Mead only compares values: a region where the likelihood is not finite is "worse".
    return Number.isFinite(value) ? -value : Number.MAX_VALUE;
  };
  let best = start.map(Math.log);
  let bestValue = objective(best);
  if (bestValue === Number.MAX_VALUE) {
    throw new Error(`${name}: the log-likelihood is not finite at the start values`);
  }
  let restarts = 0;
  while (restarts < MAX_RESTARTS) {
    restarts += 1;
    const run = nelderMead(objective, best, {
      maxIterations: 4000,
      xTolerance: 1e-7,
      fTolerance: 1e-7,
      // The first simplex spans 10% of each log-parameter (0.1 where it is 0): the restarts
      // then search afresh around the best point instead of shrinking onto it.
      initialStep: 0.1,
      zeroStep: 0.1,
    });
    const gain = bestValue - run.fx;
    if (run.fx < bestValue) {
      best = [...run.x];
      bestValue = run.fx;
    }
    if (!(gain > GAIN_TOLERANCE)) break;
  }
  if (bestValue === Number.MAX_VALUE) throw new Error(`${name}: no finite log-likelihood found`);
  return { params: best.map(Math.exp), logLikelihood: -bestValue, restarts };
}
