import type { Warehouse } from "../backends/types";
import { nightlyChain } from "../chain/nightlyChain";
import { refreshClvSnapshot } from "../clv/refreshClv";
import { takeRfmSnapshots } from "../rfm/refreshRfm";
import { assertHistoryAccepts } from "../rfm/rfmHistory";
import type { SqlParam } from "../sql/render";
import { refreshStatTests } from "../statTests/refreshStatTests";
import { martByName } from "./catalog";
import { readColumnDocs } from "./columnDocs";
import { martSql } from "./martParameters";
import { chainCoverage, notInSourceReason, nullColumnsSql } from "./sourceCoverage";
import { isCalendarDate, martTarget } from "./targets";

export { isCalendarDate, martTarget } from "./targets";

/** What one mart's refresh produced: rows written (the partitions' rows for per-date marts). */
export interface MartRun {
  readonly name: string;
  readonly rows: number;
  readonly seconds: number;
  /** Why the mart was not built (`not in this source (needs sessions)`), when it was not. */
  readonly skipped?: string;
  /** Columns left null because the source lacks the table they come from. */
  readonly nullColumns?: readonly string[];
}

export interface RunMartsOptions {
  /** The run date: the last complete day of data (SPEC), YYYY-MM-DD. */
  readonly runDate: string;
  /**
   * The first day the per-date marts write (default `runDate`): the bulk run writes every day of
   * the world in one query per mart, the nightly run just the run date.
   */
  readonly fromDate?: string;
  /**
   * The days the RFM snapshot is taken, in date order (default: the run date alone). The bulk run
   * takes one at every month end and on the run date, so the segment history shows moves.
   */
  readonly snapshotDates?: readonly string[];
  /** Called before each mart starts, with its position in the run. */
  readonly onProgress?: (name: string, index: number, total: number) => void;
}

/**
 * Refreshes every mart for one run date, in the nightly chain's order (`nightlyChain`: marts in
 * dependency order, the RFM snapshot and CLV steps where the marts that read them need them, the
 * significance tests after the marts they read), each through `warehouse.materialize` with the
 * same BigQuery SQL the scheduled queries run. The CLV models are fitted for the run date.
 * Everything runs `atomically`: on DuckDB a failure leaves every mart as the previous run left it,
 * never marts of two runs side by side. Stops at the first failure, naming the mart.
 *
 * The data says which raw tables its source lacks (`absentTables` in the world manifest: an
 * orders file has no sessions): a mart that needs one is not built and is returned with
 * `skipped`, and columns that need one are left null (`sourceCoverage.ts`).
 */
export async function runMarts(warehouse: Warehouse, options: RunMartsOptions): Promise<MartRun[]> {
  const runDate = options.runDate;
  const fromDate = options.fromDate ?? runDate;
  const snapshotDates = options.snapshotDates ?? [runDate];
  for (const date of [runDate, fromDate, ...snapshotDates])
    if (!isCalendarDate(date)) throw new Error(`"${date}" is not a YYYY-MM-DD calendar date`);
  if (fromDate > runDate) throw new Error(`fromDate ${fromDate} is after runDate ${runDate}`);
  const outOfOrder = snapshotDates.find(
    (d, i) => d > runDate || (i > 0 && d <= snapshotDates[i - 1]!),
  );
  if (outOfOrder)
    throw new Error(`Snapshot dates must ascend and end by ${runDate}: ${outOfOrder}`);
  if (snapshotDates.length > 0) await assertHistoryAccepts(warehouse, snapshotDates[0]!);

  const params: Record<string, SqlParam> = {
    run_date: { date: runDate },
    from_date: { date: fromDate },
  };
  const coverage = chainCoverage((await warehouse.readManifest())?.absentTables ?? []);
  const steps = nightlyChain().filter(
    (s) => s.kind === "mart" || s.kind === "snapshot" || s.kind === "clv" || s.kind === "stats",
  );
  const total = steps.reduce((n, s) => n + (s.kind === "mart" ? 1 : s.produces.length), 0);
  return warehouse.atomically(async (w) => {
    const runs: MartRun[] = [];
    for (const step of steps) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      if (step.kind === "snapshot") {
        step.produces.forEach((name, i) => options.onProgress?.(name, runs.length + i, total));
        // The segment map once, then each date's snapshot and history, without the summaries
        // the function reports (segment counts, movements): the report reads the marts instead.
        const users = (await takeRfmSnapshots(w, snapshotDates)).pop() ?? 0;
        for (const name of step.produces) {
          const decl = martByName(name);
          await w.describeTable?.(
            martTarget(decl, runDate),
            decl.description,
            readColumnDocs(decl),
          );
        }
        runs.push({
          name: "rfm_segment_map",
          rows: await countRows(w, "snapshots.rfm_segment_map"),
          seconds: 0,
        });
        runs.push({ name: "rfm_daily", rows: users, seconds: seconds() });
        continue;
      }
      if (step.kind === "clv") {
        step.produces.forEach((name, i) => options.onProgress?.(name, runs.length + i, total));
        let summary;
        try {
          summary = await refreshClvSnapshot(w, runDate);
        } catch (error) {
          throw new Error(`CLV step failed: ${(error as Error).message}`, { cause: error });
        }
        const skipped = summary.status === "skipped" ? summary.reason : undefined;
        const fitted = summary.status === "fitted";
        runs.push({
          name: "clv_daily",
          rows: fitted ? summary.customers : 0,
          seconds: seconds(),
          ...(skipped ? { skipped } : {}),
        });
        runs.push({ name: "clv_fit", rows: fitted ? 1 : 0, seconds: 0 });
        continue;
      }
      if (step.kind === "stats") {
        options.onProgress?.(step.produces[0]!, runs.length, total);
        // The tests read marts; where the source lacks what one of them needs (an orders file
        // has no sessions or campaigns), the tests are not in this source either.
        const stats = coverage.get(step.produces[0]!);
        const missing = stats?.status === "not in this source" ? stats.missing : [];
        if (missing.length > 0) {
          runs.push({
            name: step.produces[0]!,
            rows: 0,
            seconds: 0,
            skipped: notInSourceReason(missing),
          });
          continue;
        }
        try {
          const summary = await refreshStatTests(w, runDate);
          runs.push({ name: step.produces[0]!, rows: summary.tests, seconds: seconds() });
        } catch (error) {
          throw new Error(`Step ${step.name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        continue;
      }
      options.onProgress?.(step.name, runs.length, total);
      const decl = martByName(step.name);
      const covered = coverage.get(decl.name);
      if (covered?.status === "not in this source") {
        runs.push({
          name: decl.name,
          rows: 0,
          seconds: 0,
          skipped: notInSourceReason(covered.missing),
        });
        continue;
      }
      try {
        const target = martTarget(decl, runDate, fromDate);
        const { rows } = await w.materialize(target, martSql(decl), params);
        const nullColumns = covered?.nullColumns ?? [];
        if (nullColumns.length > 0) {
          const days = target.partition
            ? `${target.partition.column} between date '${target.partition.from ?? target.partition.date}' and date '${target.partition.date}'`
            : "true";
          await w.execute(nullColumnsSql(target, nullColumns, days));
        }
        // Column descriptions from the mart's sidecar: DuckDB `comment on` (BigQuery's come from
        // the schemas Pulumi creates the tables with).
        await w.describeTable?.(target, decl.description, readColumnDocs(decl));
        runs.push({
          name: decl.name,
          rows,
          seconds: seconds(),
          ...(nullColumns.length > 0 ? { nullColumns } : {}),
        });
      } catch (error) {
        throw new Error(`Mart ${decl.name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return runs;
  });
}

async function countRows(warehouse: Warehouse, table: string): Promise<number> {
  const [row] = await warehouse.query<{ n: number }>(`select count(*) as n from ${table}`);
  return Number(row?.n ?? 0);
}
