/**
 * The SQL files the significance-test step reads its groups from (under `sql/`). The chain derives
 * the step's place from the marts they read, as it does for a mart's SQL.
 */
export const STAT_TEST_INPUTS = [
  "stats/stat_tests_tradeoff_inputs.sql",
  "stats/stat_tests_campaign_inputs.sql",
] as const;
