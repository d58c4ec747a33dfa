import { refreshStatTests as runStatTests, StatTestsError } from "../statTests/refreshStatTests";
import { dateStepHandler } from "./dateStepHandler";

/**
 * `refreshStatTests`: runs every significance test on the marts of the run date (`runDate`,
 * default the last loaded day) and replaces `marts.dm_stat_tests`. Running it twice for a date
 * leaves the same table. A date the tests refuse (`StatTestsError`) is answered 400, naming
 * `runDate`.
 */
export const refreshStatTests = dateStepHandler({
  name: "refreshStatTests",
  field: "runDate",
  meaning: "The run date the marts describe (default: the last loaded day).",
  step: "stats",
  run: runStatTests,
  callerError: (err) => err instanceof StatTestsError,
  logged: (summary) => ({ tests: summary.tests, flagged: summary.flagged }),
  rows: (summary) => ({ dm_stat_tests: summary.tests }),
});
