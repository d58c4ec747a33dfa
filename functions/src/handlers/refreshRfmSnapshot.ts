import { refreshRfmSnapshot as refreshSnapshot, RfmRefreshError } from "../rfm/refreshRfm";
import { dateStepHandler } from "./dateStepHandler";

/**
 * `refreshRfmSnapshot`: replaces one day's RFM snapshot partition (`snapshotDate`, default the
 * last loaded day) and records segment moves in the history, all or nothing. Running it twice for
 * a date leaves one snapshot for that date. A date the history cannot take (older than its
 * latest) is the caller's to fix: 400, naming `snapshotDate`.
 */
export const refreshRfmSnapshot = dateStepHandler({
  name: "refreshRfmSnapshot",
  field: "snapshotDate",
  meaning:
    "The day the snapshot describes (default: the last loaded day); its partition is replaced.",
  step: "snapshot",
  run: refreshSnapshot,
  callerError: (err) => err instanceof RfmRefreshError,
  logged: (summary) => ({ users: summary.users, movements: summary.movements.length }),
  rows: (summary) => ({ rfm_daily: summary.users }),
});
