/**
 * One `dm_stat_tests` row per test result: the mapping from each test's result to the table's
 * columns, in one place, so every method fills the columns the same way.
 */
import type { RowValue } from "../backends/types";
import type {
  BootstrapResult,
  MannWhitneyResult,
  RateAgainstThresholdResult,
  TwoProportionResult,
  WelchResult,
} from "../stats";
import { STAT_TEST_SETTINGS } from "./settings";

/** What every row names: which claim, on which users, comparing which groups. */
export interface TestSubject {
  readonly scope: string;
  readonly question: string;
  readonly metric: string;
  readonly slice: string;
  readonly groupA: string;
  readonly groupB: string | null;
}

export type StatTestRow = Record<string, RowValue>;

const EMPTY = {
  n_b: null,
  mean_a: null,
  mean_b: null,
  median_a: null,
  median_b: null,
  estimate: null,
  statistic_name: null,
  statistic: null,
  df: null,
  p_value: null,
  ci_low: null,
  ci_high: null,
  effect_size_name: null,
  effect_size: null,
  threshold: null,
  note: null,
} as const;

function base(runDate: string, subject: TestSubject, method: string): StatTestRow {
  return {
    run_date: runDate,
    test_id: [
      subject.scope,
      subject.metric,
      subject.slice,
      subject.groupA,
      subject.groupB ?? "",
      method,
    ]
      .join(":")
      .replace(/\s+/g, "_"),
    scope: subject.scope,
    question: subject.question,
    method,
    metric: subject.metric,
    slice: subject.slice,
    group_a: subject.groupA,
    group_b: subject.groupB,
    ...EMPTY,
  };
}

/** A finite number, or null (NaN and infinities do not belong in a table). */
const finite = (value: number | null): number | null =>
  value !== null && Number.isFinite(value) ? value : null;

function significance(pValue: number | null): string {
  if (pValue === null) return "not tested";
  return pValue < STAT_TEST_SETTINGS.alpha ? "significant" : "not significant";
}

export function welchRow(runDate: string, subject: TestSubject, r: WelchResult): StatTestRow {
  const p = finite(r.pValue);
  return {
    ...base(runDate, subject, "welch_t"),
    n_a: r.nX,
    n_b: r.nY,
    mean_a: r.meanX,
    mean_b: r.meanY,
    estimate: r.difference,
    statistic_name: "t",
    statistic: finite(r.statistic),
    df: finite(r.df),
    p_value: p,
    ci_low: finite(r.ciLow),
    ci_high: finite(r.ciHigh),
    effect_size_name: "cohens_d",
    effect_size: finite(r.cohensD),
    verdict: significance(p),
    note: p === null ? "no variance in either group" : null,
  };
}

export function mannWhitneyRow(
  runDate: string,
  subject: TestSubject,
  r: MannWhitneyResult,
  means: { a: number; b: number },
): StatTestRow {
  return {
    ...base(runDate, subject, "mann_whitney_u"),
    n_a: r.nX,
    n_b: r.nY,
    mean_a: means.a,
    mean_b: means.b,
    median_a: r.medianX,
    median_b: r.medianY,
    estimate: means.a - means.b,
    statistic_name: "U",
    statistic: r.statistic,
    p_value: finite(r.pValue),
    effect_size_name: "rank_biserial",
    effect_size: finite(r.rankBiserial),
    verdict: significance(finite(r.pValue)),
    note: r.method === "exact" ? "exact distribution of U (small groups, no ties)" : null,
  };
}

export function bootstrapRow(
  runDate: string,
  subject: TestSubject,
  r: BootstrapResult,
  sizes: { a: number; b: number },
  means: { a: number; b: number },
): StatTestRow {
  // An interval, not a test: "significant" when it leaves out 0, which is how it is read.
  const excludesZero = r.ciLow > 0 || r.ciHigh < 0;
  return {
    ...base(runDate, subject, `bootstrap_${r.method}`),
    n_a: sizes.a,
    n_b: sizes.b,
    mean_a: means.a,
    mean_b: means.b,
    estimate: r.estimate,
    ci_low: finite(r.ciLow),
    ci_high: finite(r.ciHigh),
    verdict: excludesZero ? "significant" : "not significant",
    note: `${r.resamples} resamples; the verdict reads whether the interval leaves out 0`,
  };
}

export function twoProportionRow(
  runDate: string,
  subject: TestSubject,
  r: TwoProportionResult,
): StatTestRow {
  return {
    ...base(runDate, subject, "two_proportion_z"),
    n_a: r.nA,
    n_b: r.nB,
    mean_a: r.rateA,
    mean_b: r.rateB,
    estimate: r.difference,
    statistic_name: "z",
    statistic: r.z,
    p_value: r.pValue,
    ci_low: r.ciLow,
    ci_high: r.ciHigh,
    effect_size_name: "relative_lift",
    effect_size: r.relativeLift,
    verdict: significance(r.pValue),
  };
}

export function thresholdRow(
  runDate: string,
  subject: TestSubject,
  r: RateAgainstThresholdResult,
): StatTestRow {
  return {
    ...base(runDate, subject, "binomial_above_threshold"),
    n_a: r.n,
    mean_a: r.rate,
    estimate: r.rate,
    statistic_name: "k",
    statistic: r.successes,
    p_value: r.pValueAbove,
    ci_low: r.ciLow,
    ci_high: r.ciHigh,
    threshold: r.threshold,
    verdict: r.ciHigh <= r.threshold ? "guardrail passed" : "guardrail failed",
  };
}

/** A test that could not run, saying why. */
export function notTestedRow(
  runDate: string,
  subject: TestSubject,
  method: string,
  sizes: { a: number; b: number | null },
  note: string,
): StatTestRow {
  return {
    ...base(runDate, subject, method),
    n_a: sizes.a,
    n_b: sizes.b,
    verdict: "not tested",
    note,
  };
}
