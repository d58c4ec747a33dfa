import { refreshClvSnapshot as refreshClv } from "../clv/refreshClv";
import { dateStepHandler } from "./dateStepHandler";

/**
 * `refreshClvSnapshot`: fits BG/NBD and Gamma-Gamma on every buyer's purchase history up to the
 * snapshot date and replaces that date's partitions of `snapshots.clv_daily` and
 * `snapshots.clv_fit` (`functions/src/clv/refreshClv.ts`). Dates follow the RFM snapshot's rules
 * (loaded data only, default the last loaded day); a deployment that names its world refuses
 * another one with 409. A date with no repeat buyer yet answers 200 with `status: "skipped"`
 * and the reason, its partitions emptied.
 */
export const refreshClvSnapshot = dateStepHandler({
  name: "refreshClvSnapshot",
  field: "snapshotDate",
  meaning:
    "The day the histories run to (default: the last loaded day); its partitions are replaced.",
  step: "clv",
  run: refreshClv,
  logged: (summary) => ({ status: summary.status, customers: summary.customers }),
  rows: (summary) => ({ clv_daily: summary.status === "fitted" ? summary.customers : 0 }),
  done: (summary) => ({ status: summary.status }),
});
