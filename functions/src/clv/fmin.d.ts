/**
 * Types for the part of `fmin` (Ben Frederickson's numerical minimisers, BSD-3) that the CLV fits
 * use; the package ships none.
 */
declare module "fmin" {
  export interface NelderMeadOptions {
    maxIterations?: number;
    /** Stops when the simplex's values and its points are both within this of each other. */
    minErrorDelta?: number;
    /** Relative size of the first simplex along each non-zero coordinate. */
    nonZeroDelta?: number;
    /** Size of the first simplex along each zero coordinate. */
    zeroDelta?: number;
  }
  export interface NelderMeadResult {
    readonly x: number[];
    readonly fx: number;
  }
  export function nelderMead(
    f: (x: number[]) => number,
    x0: number[],
    options?: NelderMeadOptions,
  ): NelderMeadResult;
}
