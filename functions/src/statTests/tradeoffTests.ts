/**
 * The trade-off study's claims as significance tests: is the fastest-converting type's 180-day
 * LTV really below the most valuable type's, does a steady rhythm carry value, do promotion
 * signups convert faster, do paid subscribers spend more per order?
 */
import {
  bootstrap,
  differenceOfMeans,
  mannWhitneyU,
  mean,
  twoProportionTest,
  welchTTest,
} from "../stats";
import { STAT_TEST_INPUTS } from "./inputs";
import { STAT_TEST_SETTINGS } from "./settings";
import {
  bootstrapRow,
  mannWhitneyRow,
  notTestedRow,
  twoProportionRow,
  welchRow,
  type StatTestRow,
  type TestSubject,
} from "./testRows";

/**
 * A row of `sql/stats/stat_tests_tradeoff_inputs.sql`: one group of one question, with its users'
 * values (numbers, or decimal strings where the warehouse returns NUMERIC as text).
 */
export interface TradeoffInput {
  readonly question: string;
  readonly group_label: string;
  readonly group_values: readonly (number | string)[];
}

export const TRADEOFF_INPUTS_SQL = STAT_TEST_INPUTS[0];

type Groups = Map<string, number[]>;

/**
 * Values by question, then by group label, each group sorted ascending: the query sorts them, and
 * sorting again here keeps the order a contract of this step, not of the SQL. The bootstrap's
 * resamples (and the last bits of a sum) depend on the order, so a re-run of the same data must
 * see the same one.
 */
function byQuestion(inputs: readonly TradeoffInput[]): Map<string, Groups> {
  const out = new Map<string, Groups>();
  for (const row of inputs) {
    const groups = out.get(row.question) ?? new Map<string, number[]>();
    out.set(row.question, groups);
    const values = groups.get(row.group_label) ?? [];
    groups.set(row.group_label, values);
    for (const value of row.group_values) values.push(Number(value));
  }
  for (const groups of out.values())
    for (const values of groups.values()) values.sort((a, b) => a - b);
  return out;
}

/** The group with the highest mean, ties to the first label alphabetically. */
function topGroup(groups: Groups | undefined): string | null {
  if (!groups) return null;
  let best: string | null = null;
  let bestMean = -Infinity;
  for (const label of [...groups.keys()].sort()) {
    const m = mean(groups.get(label)!);
    if (m > bestMean) [best, bestMean] = [label, m];
  }
  return best;
}

/** Welch and Mann-Whitney on one metric between two groups, plus a bootstrap when asked. */
function compareAmounts(
  runDate: string,
  subject: TestSubject,
  a: readonly number[],
  b: readonly number[],
  withBootstrap: boolean,
): StatTestRow[] {
  const min = STAT_TEST_SETTINGS.minGroupSize;
  const methods = ["welch_t", "mann_whitney_u", ...(withBootstrap ? ["bootstrap_bca"] : [])];
  if (a.length < min || b.length < min)
    return methods.map((m) =>
      notTestedRow(
        runDate,
        subject,
        m,
        { a: a.length, b: b.length },
        `fewer than ${min} users in a group`,
      ),
    );
  const means = { a: mean(a), b: mean(b) };
  const rows = [
    welchRow(runDate, subject, welchTTest(a, b, STAT_TEST_SETTINGS.confidence)),
    mannWhitneyRow(runDate, subject, mannWhitneyU(a, b), means),
  ];
  if (withBootstrap)
    rows.push(
      bootstrapRow(
        runDate,
        subject,
        bootstrap([a, b], differenceOfMeans, {
          resamples: STAT_TEST_SETTINGS.bootstrapResamples,
          seed: STAT_TEST_SETTINGS.bootstrapSeed,
          confidence: STAT_TEST_SETTINGS.confidence,
        }),
        { a: a.length, b: b.length },
        means,
      ),
    );
  return rows;
}

/** Two groups' 0/1 values as a two-proportion test. */
function compareRates(
  runDate: string,
  subject: TestSubject,
  a: readonly number[],
  b: readonly number[],
): StatTestRow {
  if (a.length === 0 || b.length === 0)
    return notTestedRow(
      runDate,
      subject,
      "two_proportion_z",
      { a: a.length, b: b.length },
      "a group has no users",
    );
  const ones = (values: readonly number[]) => values.filter((v) => v === 1).length;
  return twoProportionRow(
    runDate,
    subject,
    twoProportionTest(ones(a), a.length, ones(b), b.length, STAT_TEST_SETTINGS.confidence),
  );
}

/** Every trade-off test of the run date, from the inputs query's rows. */
export function tradeoffTestRows(runDate: string, inputs: readonly TradeoffInput[]): StatTestRow[] {
  const q = byQuestion(inputs);
  const values = (question: string, group: string | null): number[] =>
    (group === null ? undefined : q.get(question)?.get(group)) ?? [];
  const rows: StatTestRow[] = [];
  const scope = "trade-off";

  // The segments are named by the data, not by the generator: whichever type converts fastest
  // within 14 days against whichever has the highest mean 180-day LTV.
  const fastest = topGroup(q.get("is_converted_14d by user_type"));
  const richest = topGroup(q.get("ltv_180d by user_type"));
  const pair = `the fastest-converting type (${fastest ?? "none"}) against the highest-LTV type (${richest ?? "none"})`;
  if (fastest !== null && richest !== null && fastest === richest) {
    const subject = {
      scope,
      question: `180-day LTV of ${pair}`,
      metric: "ltv_180d",
      slice: "all",
      groupA: `user_type ${fastest}`,
      groupB: `user_type ${richest}`,
    };
    rows.push(
      notTestedRow(
        runDate,
        subject,
        "welch_t",
        { a: 0, b: 0 },
        "the fastest-converting type is also the highest-LTV type: nothing to compare",
      ),
    );
  } else {
    const groupA = `user_type ${fastest ?? "none"}`;
    const groupB = `user_type ${richest ?? "none"}`;
    rows.push(
      ...compareAmounts(
        runDate,
        {
          scope,
          question: `Is the 180-day LTV of ${pair} lower?`,
          metric: "ltv_180d",
          slice: "all",
          groupA,
          groupB,
        },
        values("ltv_180d by user_type", fastest),
        values("ltv_180d by user_type", richest),
        true,
      ),
      compareRates(
        runDate,
        {
          scope,
          question: `Does ${pair} convert faster within 14 days?`,
          metric: "is_converted_14d",
          slice: "all",
          groupA,
          groupB,
        },
        values("is_converted_14d by user_type", fastest),
        values("is_converted_14d by user_type", richest),
      ),
    );
  }

  rows.push(
    ...compareAmounts(
      runDate,
      {
        scope,
        question:
          "Do users with a steady early rhythm (High consistency) have a higher 180-day LTV than bursty ones (Low)?",
        metric: "ltv_180d",
        slice: "all",
        groupA: "consistency_tier High",
        groupB: "consistency_tier Low",
      },
      values("ltv_180d by consistency_tier", "High"),
      values("ltv_180d by consistency_tier", "Low"),
      false,
    ),
    compareRates(
      runDate,
      {
        scope,
        question: "Do users who sign up during a promotion convert within 14 days more often?",
        metric: "is_converted_14d",
        slice: "all",
        groupA: "signup_promo Promo",
        groupB: "signup_promo No promo",
      },
      values("is_converted_14d by signup_promo", "Promo"),
      values("is_converted_14d by signup_promo", "No promo"),
    ),
    ...compareAmounts(
      runDate,
      {
        scope,
        question: "Do paid subscribers spend more per order (AOV) than free users?",
        metric: "aov",
        slice: "all",
        groupA: "subscription Paid",
        groupB: "subscription Free",
      },
      values("aov by subscription", "Paid"),
      values("aov by subscription", "Free"),
      false,
    ),
  );
  return rows;
}
