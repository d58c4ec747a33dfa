import { column as col } from "../contract";
import type { RowsTableDef } from "../backends/types";

/**
 * `marts.dm_stat_tests`, written by the significance-test step (`refreshStatTests`), declared
 * once: the DuckDB DDL, the BigQuery schema and the step's rows all come from these columns. One
 * row per test: the claims of the trade-off study and every campaign comparison, with the
 * groups, their sizes and centres, the statistic, the p-value, the interval and an effect size.
 * The whole table is replaced on each run: it answers "as of the run date".
 */
export const DM_STAT_TESTS: RowsTableDef = {
  dataset: "marts",
  name: "dm_stat_tests",
  description:
    "One row per significance test as of the run date: the trade-off study's claims (Welch, Mann-Whitney, two-proportion, bootstrap) and each campaign's uplift and guardrail, with n, centres, statistic, p-value, interval and effect size.",
  clustering: ["scope", "metric"],
  columns: [
    col("run_date", "DATE", "The run date the tested marts describe (the last complete day)."),
    col(
      "test_id",
      "STRING",
      "Stable key of the test: scope, metric, slice, groups and method, joined by colons.",
    ),
    col(
      "scope",
      "STRING",
      "What the test is about: 'trade-off' for the study's claims, a campaign id, or 'all campaigns' for the campaigns pooled.",
    ),
    col("question", "STRING", "The claim tested, in words."),
    col(
      "method",
      "STRING",
      "welch_t, mann_whitney_u, two_proportion_z, bootstrap_bca or binomial_above_threshold (docs/marts.md explains each).",
    ),
    col(
      "metric",
      "STRING",
      "The compared quantity, named as in the marts (ltv_180d, reactivated_28d, ...).",
    ),
    col(
      "slice",
      "STRING",
      "The users the test keeps: 'all', a purchase-count tier ('tier 2', 'tier 3-4', 'tier 5+'), or for a campaign's purchases 'messaged category' / 'other categories'.",
    ),
    col(
      "group_a",
      "STRING",
      "The first group (the treatment in a campaign); the estimate is A minus B.",
    ),
    col(
      "group_b",
      "STRING",
      "The second group (the control), or the threshold for a guardrail.",
      true,
    ),
    col("n_a", "INT64", "Users in group A."),
    col("n_b", "INT64", "Users in group B; null for a one-group test.", true),
    col("mean_a", "FLOAT64", "Mean of the metric in group A (a rate for 0/1 metrics).", true),
    col("mean_b", "FLOAT64", "Mean of the metric in group B.", true),
    col("median_a", "FLOAT64", "Median in group A (rank tests only).", true),
    col("median_b", "FLOAT64", "Median in group B (rank tests only).", true),
    col(
      "estimate",
      "FLOAT64",
      "The estimated effect: mean_a - mean_b (the uplift for a campaign), or the rate for a guardrail.",
      true,
    ),
    col("statistic_name", "STRING", "t, U, z or k (successes) for a binomial test.", true),
    col("statistic", "FLOAT64", "The test statistic.", true),
    col("df", "FLOAT64", "Degrees of freedom (Welch only).", true),
    col(
      "p_value",
      "FLOAT64",
      "Two-sided p-value; one-sided (rate above the threshold) for a guardrail; null when the test could not run.",
      true,
    ),
    col("ci_low", "FLOAT64", "Lower end of the 95% confidence interval of the estimate.", true),
    col("ci_high", "FLOAT64", "Upper end of the 95% confidence interval of the estimate.", true),
    col("effect_size_name", "STRING", "cohens_d, rank_biserial, cohens_h or relative_lift.", true),
    col("effect_size", "FLOAT64", "The effect size named in effect_size_name.", true),
    col(
      "threshold",
      "FLOAT64",
      "The guardrail's maximum rate (a share, 0.05 = 5%); null for other tests.",
      true,
    ),
    col(
      "verdict",
      "STRING",
      "significant / not significant (p below 0.05 or not); for a guardrail, passed (the interval's upper end is at or below the threshold) or failed; not tested when a group was too small.",
    ),
    col("note", "STRING", "Why a test could not run, or what its reading needs.", true),
  ],
};
