/**
 * How the significance-test step reads its tests: settings of the inference, not definitions of a
 * metric (those are mart parameters, in `marts/martParameters.ts`).
 */
export const STAT_TEST_SETTINGS = {
  /** A result is called significant when its p-value is below this (two-sided 5%). */
  alpha: 0.05,
  /** Confidence of every interval; 0.95 pairs with alpha. */
  confidence: 0.95,
  /**
   * Bootstrap resamples. With 2,000 the Monte Carlo error of a 95% BCa end is a few percent of the
   * interval's width; more costs time on every nightly run for digits no reader uses.
   */
  bootstrapResamples: 2000,
  /** Seed of the bootstrap: a re-run of the same data gives the same interval. */
  bootstrapSeed: 20240601,
  /** Fewer users than this in a group and a test is reported as not tested, with the reason. */
  minGroupSize: 2,
} as const;
