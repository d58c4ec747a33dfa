/**
 * The reactivation campaigns as significance tests: each campaign's (and every campaign's pooled)
 * uplift of the reactivation rate, treatment against control, within 7 / 14 / 28 days, in and
 * out of the messaged category, overall and within each purchase-count tier (the randomisation's
 * strata); and the guardrail, the share of messaged users who blocked notifications against its
 * threshold.
 */
import { MART_PARAMETERS } from "../marts/martParameters";
import { rateAgainstThreshold, twoProportionTest } from "../stats";
import { STAT_TEST_INPUTS } from "./inputs";
import { STAT_TEST_SETTINGS } from "./settings";
import {
  notTestedRow,
  thresholdRow,
  twoProportionRow,
  type StatTestRow,
  type TestSubject,
} from "./testRows";

/** A row of `sql/stats/stat_tests_campaign_inputs.sql`. */
export interface CampaignInput {
  readonly campaign_id: string;
  readonly slice: string;
  readonly experiment_group: string;
  readonly users_messaged: number;
  readonly users_blocked: number;
  readonly n_7d: number;
  readonly k_7d: number;
  readonly n_14d: number;
  readonly k_14d: number;
  readonly n_28d: number;
  readonly k_28d: number;
  readonly k_in_category_28d: number;
  readonly k_other_category_28d: number;
}

export const CAMPAIGN_INPUTS_SQL = STAT_TEST_INPUTS[1];

/** The reactivation metrics tested, each with its observed-user count and its success count. */
const METRICS = [
  { metric: "is_reactivated_7d", n: "n_7d", k: "k_7d", words: "within 7 days" },
  { metric: "is_reactivated_14d", n: "n_14d", k: "k_14d", words: "within 14 days" },
  { metric: "is_reactivated_28d", n: "n_28d", k: "k_28d", words: "within 28 days" },
  {
    metric: "is_reactivated_in_category_28d",
    n: "n_28d",
    k: "k_in_category_28d",
    words: "in the messaged category within 28 days",
  },
  {
    metric: "is_reactivated_other_category_28d",
    n: "n_28d",
    k: "k_other_category_28d",
    words: "in another category within 28 days",
  },
] as const;

/** The scope column: the campaign id, or 'all campaigns' for the pooled rows. */
const scopeOf = (campaignId: string): string =>
  campaignId === "All campaigns" ? "all campaigns" : campaignId;

/** Every campaign test of the run date, from the inputs query's rows, in a stable order. */
export function campaignTestRows(runDate: string, inputs: readonly CampaignInput[]): StatTestRow[] {
  const cells = new Map<string, CampaignInput>();
  for (const row of inputs)
    cells.set(`${row.campaign_id}|${row.slice}|${row.experiment_group}`, row);
  const keys = [...new Set(inputs.map((r) => `${r.campaign_id}|${r.slice}`))].sort();
  const rows: StatTestRow[] = [];
  const count = (row: CampaignInput | undefined, column: keyof CampaignInput): number =>
    row === undefined ? 0 : Number(row[column]);
  for (const key of keys) {
    const [campaignId, slice] = key.split("|") as [string, string];
    const treated = cells.get(`${key}|treatment`);
    const control = cells.get(`${key}|control`);
    const scope = scopeOf(campaignId);
    for (const { metric, n, k, words } of METRICS) {
      const subject: TestSubject = {
        scope,
        question: `Does the message raise reactivation ${words} (${scope}, ${slice})?`,
        metric,
        slice,
        groupA: "treatment",
        groupB: "control",
      };
      const nA = count(treated, n);
      const nB = count(control, n);
      if (nA < STAT_TEST_SETTINGS.minGroupSize || nB < STAT_TEST_SETTINGS.minGroupSize) {
        rows.push(
          notTestedRow(
            runDate,
            subject,
            "two_proportion_z",
            { a: nA, b: nB },
            `fewer than ${STAT_TEST_SETTINGS.minGroupSize} users with the window observed in a group`,
          ),
        );
        continue;
      }
      rows.push(
        twoProportionRow(
          runDate,
          subject,
          twoProportionTest(
            count(treated, k),
            nA,
            count(control, k),
            nB,
            STAT_TEST_SETTINGS.confidence,
          ),
        ),
      );
    }
    if (slice !== "all") continue;
    const guardrail: TestSubject = {
      scope,
      question: `Do more than ${MART_PARAMETERS.guardrail_block_rate_max_pct}% of messaged users block notifications (${scope})?`,
      metric: "block_rate",
      slice,
      groupA: "treatment",
      groupB: null,
    };
    const messaged = count(treated, "users_messaged");
    rows.push(
      messaged === 0
        ? notTestedRow(
            runDate,
            guardrail,
            "binomial_above_threshold",
            { a: 0, b: null },
            "no user messaged",
          )
        : thresholdRow(
            runDate,
            guardrail,
            rateAgainstThreshold(
              count(treated, "users_blocked"),
              messaged,
              MART_PARAMETERS.guardrail_block_rate_max_pct / 100,
              STAT_TEST_SETTINGS.confidence,
            ),
          ),
    );
  }
  return rows;
}
