/**
 * Test support (not a test): what both workflows are generated from, as the program passes it
 * for the dev stack (the real chain, checks and marts; made-up config names and URLs).
 */
import { nightlyChain } from "../../../functions/src/chain/nightlyChain";
import { listChecks } from "../../../functions/src/checks";
import { MARTS } from "../../../functions/src/marts/catalog";
import { queryParameters } from "../../../functions/src/sql/render";
import { readSql } from "../../../functions/src/sql/sqlFiles";
import { isScheduledQueryMart } from "../../martSchedule";

export const SCHEDULED = MARTS.filter(isScheduledQueryMart);

export function chainArgs() {
  return {
    project: "my-analytics-dev",
    location: "US",
    datasets: { raw: "raw_dev", marts: "marts_dev", snapshots: "snapshots_dev" },
    maximumBytesBilled: 3 * 2 ** 30,
    chain: nightlyChain(),
    checks: listChecks(),
    martConfigNames: Object.fromEntries(
      SCHEDULED.map((m) => [m.name, `projects/1/locations/US/transferConfigs/cfg-${m.name}`]),
    ),
    martsUsingRunDate: SCHEDULED.filter((m) =>
      queryParameters(readSql(m.file)).includes("run_date"),
    ).map((m) => m.name),
    functionUrls: {
      generateData: "https://us-central1-p.cloudfunctions.net/generate-data-dev",
      refreshRfmSnapshot: "https://us-central1-p.cloudfunctions.net/refresh-rfm-snapshot-dev",
      refreshClvSnapshot: "https://us-central1-p.cloudfunctions.net/refresh-clv-snapshot-dev",
      refreshStatTests: "https://us-central1-p.cloudfunctions.net/refresh-stat-tests-dev",
    },
    worldStart: "2024-01-01",
  };
}
