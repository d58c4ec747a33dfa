import type { Warehouse } from "../../functions/src/backends/types";
import { isMissingTable } from "../../functions/src/backends/missingTable";
import { toText } from "./format";

/**
 * How fresh the page is, in one line: the last day of data (the KPI mart's latest day) and the
 * latest run's record (`snapshots.pipeline_runs`): when it finished and how it ended. A warehouse
 * without a run record yet (one built before runs were recorded) says so instead of failing.
 */
export interface Freshness {
  /** Latest day in `marts.dm_kpi_daily`, or "" when it has none. */
  readonly dataThrough: string;
  readonly lastRun: {
    readonly kind: string;
    readonly finishedAt: string;
    readonly status: string;
    readonly failedStep: string;
    readonly dataThrough: string;
  } | null;
  /** The run record table exists. */
  readonly hasRunRecord: boolean;
}

export const LATEST_RUN_SQL = `-- Grain: the latest run (one row).
select run_kind, data_through, finished_at, status, failed_step
from snapshots.pipeline_runs
order by finished_at desc
limit 1
`;

const DATA_THROUGH_SQL = "select max(kpi_date) as through from marts.dm_kpi_daily";

/** The texts `readFreshness` sends, for translating ahead (`reportQueryTexts`). */
export const FRESHNESS_QUERIES: readonly string[] = [DATA_THROUGH_SQL, LATEST_RUN_SQL];

export async function readFreshness(warehouse: Warehouse): Promise<Freshness> {
  const [kpi] = await warehouse.query<{ through: unknown }>(DATA_THROUGH_SQL);
  let rows: Record<string, unknown>[] = [];
  let hasRunRecord = true;
  try {
    rows = await warehouse.query(LATEST_RUN_SQL);
  } catch (error) {
    if (!isMissingTable(error)) throw error;
    hasRunRecord = false;
  }
  const run = rows[0];
  return {
    dataThrough: toText(kpi?.through),
    hasRunRecord,
    lastRun: run
      ? {
          kind: toText(run.run_kind),
          finishedAt: toText(run.finished_at),
          status: toText(run.status),
          failedStep: toText(run.failed_step),
          dataThrough: toText(run.data_through),
        }
      : null,
  };
}

/** "Data through D, refreshed at T (status)" in words a reader of the page understands. */
export function freshnessLine(f: Freshness): string {
  const through = f.dataThrough ? `Data through ${f.dataThrough}` : "No KPI day yet";
  if (!f.lastRun) {
    return `${through}. ${f.hasRunRecord ? "No run recorded yet" : "No run record in this warehouse (snapshots.pipeline_runs)"}.`;
  }
  const at = f.lastRun.finishedAt
    .replace("T", " ")
    .replace(/(:\d\d)(\.\d+)?(Z|\+00(:00)?)?$/, "$1 UTC");
  const status =
    f.lastRun.status === "succeeded"
      ? "succeeded"
      : `FAILED${f.lastRun.failedStep ? ` at ${f.lastRun.failedStep}` : ""}; the marts show the last complete state`;
  const article = /^[aeiou]/.test(f.lastRun.kind) ? "an" : "a";
  return `${through}, refreshed ${at} by ${article} ${f.lastRun.kind} run: ${status}.`;
}
