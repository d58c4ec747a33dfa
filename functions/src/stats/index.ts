/** Significance tests and intervals, each equal to SciPy's on committed fixtures. */
export {
  bootstrap,
  bootstrapDistribution,
  bootstrapInterval,
  differenceOfMeans,
} from "./bootstrap";
export type { BootstrapOptions, BootstrapResult, GroupStatistic } from "./bootstrap";
export { mean, median, quantile, variance } from "./describe";
export { mannWhitneyU } from "./mannWhitney";
export type { MannWhitneyResult } from "./mannWhitney";
export { rateAgainstThreshold, twoProportionTest } from "./proportions";
export type { RateAgainstThresholdResult, TwoProportionResult } from "./proportions";
export { welchTTest } from "./welch";
export type { WelchResult } from "./welch";
