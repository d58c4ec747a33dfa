import type { Warehouse } from "../backends/types";
import { CLV_STEP_TABLES, nightlyChain } from "../chain/nightlyChain";
import {
  CLV_HISTORY_SQL,
  readClvHistories,
  writeClv,
  type ClvComputation,
} from "../clv/refreshClv";
import { BUYERS_SQL, SNAPSHOTS_TAKEN_SQL, takeRfmSnapshots } from "../rfm/refreshRfm";
import { assertHistoryAccepts, LATEST_HISTORY_SQL, RFM_HISTORY_FILE } from "../rfm/rfmHistory";
import type { SqlParam } from "../sql/render";
import { readSql } from "../sql/sqlFiles";
import {
  readStatTestInputs,
  statTestInputTexts,
  writeStatTests,
  type StatTestsSummary,
} from "../statTests/refreshStatTests";
import type { StatTestRow } from "../statTests/testRows";
import { martByName, sqlMartReferences } from "./catalog";
import { readColumnDocs } from "./columnDocs";
import { martSql } from "./martParameters";
import { OffThread } from "./offThread";
import { chainCoverage, notInSourceReason, nullColumnsSql } from "./sourceCoverage";
import { isCalendarDate, martTarget } from "./targets";

export { isCalendarDate, martTarget } from "./targets";

/** The table whose rows the snapshot step reports (its other table's are the snapshots'). */
const SEGMENT_MAP_TABLE = "snapshots.rfm_segment_map";

/** What one mart's refresh produced: rows written (the partitions' rows for per-date marts). */
export interface MartRun {
  readonly name: string;
  readonly rows: number;
  readonly seconds: number;
  /** Why the mart was not built (`not in this source (needs sessions)`), when it was not. */
  readonly skipped?: string;
  /** Columns left null because the source lacks the table they come from. */
  readonly nullColumns?: readonly string[];
  /** The dates written, for the RFM snapshot: its rows are the last date's buyers. */
  readonly partitions?: number;
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
   * The first day of the RFM snapshot range (default `runDate`: the run date's snapshot alone;
   * `null`: no snapshot). A snapshot is taken at every month end of the range and on the run
   * date: the bulk run passes the world's first day, so the segment history shows moves.
   */
  readonly snapshotFrom?: string | null;
  /** Called before each mart starts, with its position in the run. */
  readonly onProgress?: (name: string, index: number, total: number) => void;
  /**
   * Input rows from which the CLV fit and the significance tests run in a worker thread beside
   * the marts' SQL (default `OFF_THREAD_MIN_ROWS`; 0 always, `Infinity` never).
   */
  readonly offThreadMinRows?: number;
}

/**
 * Refreshes every mart for one run date, in the nightly chain's order (`nightlyChain`: marts in
 * dependency order, the RFM snapshot and CLV steps where the marts that read them need them, the
 * significance tests after the marts they read), each through `warehouse.materialize` with the
 * same BigQuery SQL the scheduled queries run. The CLV models are fitted for the run date.
 * The two steps computed in code (the CLV fit, the significance tests) read their inputs as soon
 * as what they read is built and compute in a worker thread while the marts' SQL goes on
 * (`offThread.ts`); each writes before the first step that reads it, at its place at the latest.
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
  const snapshotFrom = options.snapshotFrom === undefined ? runDate : options.snapshotFrom;
  for (const date of [runDate, fromDate, ...(snapshotFrom === null ? [] : [snapshotFrom])])
    if (!isCalendarDate(date)) throw new Error(`"${date}" is not a YYYY-MM-DD calendar date`);
  if (fromDate > runDate) throw new Error(`fromDate ${fromDate} is after runDate ${runDate}`);
  if (snapshotFrom !== null && snapshotFrom > runDate)
    throw new Error(`snapshotFrom ${snapshotFrom} is after runDate ${runDate}`);
  if (snapshotFrom !== null) await assertHistoryAccepts(warehouse, snapshotFrom);

  const params: Record<string, SqlParam> = {
    run_date: { date: runDate },
    from_date: { date: fromDate },
  };
  const coverage = chainCoverage((await warehouse.readManifest())?.absentTables ?? []);
  const steps = nightlyChain().filter(
    (s) => s.kind === "mart" || s.kind === "snapshot" || s.kind === "clv" || s.kind === "stats",
  );
  const total = steps.reduce((n, s) => n + (s.kind === "mart" ? 1 : s.produces.length), 0);
  const offThread = new OffThread();
  const minRows = options.offThreadMinRows;
  try {
    return await warehouse.atomically(async (w) => {
      const runs: MartRun[] = [];
      const built = new Set<string>();

      // The significance tests read their inputs as soon as the marts they read are built, compute
      // in the worker while the chain goes on, and write at their own place, the chain's end.
      const statsStep = steps.find((s) => s.kind === "stats");
      const statsCoverage = statsStep ? coverage.get(statsStep.produces[0]!) : undefined;
      const statsMissing =
        statsCoverage?.status === "not in this source" ? statsCoverage.missing : [];
      let statTests: { seconds: number; rows: Promise<StatTestRow[]> } | null = null;
      const startStatTests = async () => {
        if (!statsStep || statTests || statsMissing.length > 0) return;
        if (!statsStep.dependsOn.every((d) => built.has(d))) return;
        const started = performance.now();
        const inputs = await failingAs(`Step ${statsStep.name}`, () =>
          readStatTestInputs(w, runDate),
        );
        const values = inputs.tradeoff.reduce((n, q) => n + q.group_values.length, 0);
        const rows = offThread.run("statTests", inputs, values, minRows);
        rows.catch(() => undefined); // awaited at the step; a later failure must not leave it unhandled
        statTests = { seconds: (performance.now() - started) / 1000, rows };
      };

      // The CLV step reads at its place and computes in the worker; its tables are written
      // before the first step that reads them (or at the end), into the places it took in `runs`.
      let clv: { index: number; seconds: number; computed: Promise<ClvComputation> } | null = null;
      const finishClv = async () => {
        if (!clv) return;
        const { index, seconds: readSeconds, computed } = clv;
        clv = null;
        const started = performance.now();
        const summary = await failingAs("CLV step", async () =>
          writeClv(w, runDate, await computed),
        );
        const skipped = summary.status === "skipped" ? summary.reason : undefined;
        const fitted = summary.status === "fitted";
        runs[index] = {
          name: "clv_daily",
          rows: fitted ? summary.customers : 0,
          seconds: readSeconds + (performance.now() - started) / 1000,
          ...(skipped ? { skipped } : {}),
        };
        runs[index + 1] = { name: "clv_fit", rows: fitted ? 1 : 0, seconds: 0 };
      };

      await startStatTests();
      for (const step of steps) {
        // A mart's SQL, read once; a mart that reads a table the CLV step writes
        // (`snapshots.clv_daily`, `clv_fit`) waits for it, as the tests do.
        const sql = step.kind === "mart" ? martSql(martByName(step.name)) : null;
        const readsClv = sql !== null && sqlMartReferences(sql, CLV_STEP_TABLES).length > 0;
        if (readsClv || step.kind === "stats") await finishClv();
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        if (step.kind === "snapshot") {
          step.produces.forEach((name, i) => options.onProgress?.(name, runs.length + i, total));
          // The segment map, the range's snapshots in one query and each date's history, without
          // the summaries the function reports (segment counts, movements): the report reads the
          // marts instead.
          const taken =
            snapshotFrom === null ? [] : await takeRfmSnapshots(w, runDate, snapshotFrom);
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
            rows: await countRows(w, SEGMENT_MAP_TABLE),
            seconds: 0,
          });
          runs.push({
            name: "rfm_daily",
            rows: taken.at(-1)?.users ?? 0,
            seconds: seconds(),
            partitions: taken.length,
          });
          for (const name of step.produces) built.add(name);
          await startStatTests();
          continue;
        }
        if (step.kind === "clv") {
          step.produces.forEach((name, i) => options.onProgress?.(name, runs.length + i, total));
          const rows = await failingAs("CLV step", () => readClvHistories(w, runDate));
          const computed = offThread.run(
            "clv",
            { rows, snapshotDate: runDate, fittedAt: new Date().toISOString() },
            rows.length,
            minRows,
          );
          computed.catch(() => undefined); // awaited in finishClv
          // The tests were handed over before (their marts come before the snapshot step).
          if (statTests || !statsStep || statsMissing.length > 0) offThread.retireWhenIdle();
          clv = { index: runs.length, seconds: seconds(), computed };
          runs.push(
            { name: "clv_daily", rows: 0, seconds: 0 },
            { name: "clv_fit", rows: 0, seconds: 0 },
          );
          continue;
        }
        if (step.kind === "stats") {
          options.onProgress?.(step.produces[0]!, runs.length, total);
          // The tests read marts; where the source lacks what one of them needs (an orders file
          // has no sessions or campaigns), the tests are not in this source either.
          if (statsMissing.length > 0) {
            runs.push({
              name: step.produces[0]!,
              rows: 0,
              seconds: 0,
              skipped: notInSourceReason(statsMissing),
            });
            continue;
          }
          await startStatTests();
          const pending = statTests as { seconds: number; rows: Promise<StatTestRow[]> } | null;
          if (!pending) throw new Error(`Step ${step.name} failed: what it reads was not built`);
          const summary: StatTestsSummary = await failingAs(`Step ${step.name}`, async () =>
            writeStatTests(w, runDate, await pending.rows),
          );
          runs.push({
            name: step.produces[0]!,
            rows: summary.tests,
            seconds: pending.seconds + seconds(),
          });
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
          built.add(decl.name);
          continue;
        }
        await failingAs(`Mart ${decl.name}`, async () => {
          const target = martTarget(decl, runDate, fromDate);
          const { rows } = await w.materialize(target, sql!, params);
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
          built.add(decl.name);
        });
        await startStatTests();
      }
      await finishClv();
      return runs;
    });
  } finally {
    await offThread.close();
  }
}

/** Runs one of the chain's code steps; its error names the step (`what`) before the reason. */
async function failingAs<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(`${what} failed: ${(error as Error).message}`, { cause: error });
  }
}

function countSql(table: string): string {
  return `select count(*) as n from ${table}`;
}

async function countRows(warehouse: Warehouse, table: string): Promise<number> {
  const [row] = await warehouse.query<{ n: number }>(countSql(table));
  return Number(row?.n ?? 0);
}

/**
 * The BigQuery texts `runMarts` sends through the warehouse, for every step of the chain whatever
 * the source: a local run translates them to DuckDB ahead, while DuckDB is busy with the earlier
 * stages (`scripts/laterStages.ts`), instead of between the marts, where DuckDB waited for each
 * translation. Only an orders file's null columns are left out: they depend on the file. A test
 * runs the chain after these were translated and sees no other translation.
 */
export function chainQueryTexts(): string[] {
  const texts: string[] = [LATEST_HISTORY_SQL];
  for (const step of nightlyChain()) {
    if (step.kind === "mart") texts.push(martSql(martByName(step.name)));
    if (step.kind === "snapshot") {
      texts.push(...step.produces.map((name) => martSql(martByName(name))));
      texts.push(readSql(RFM_HISTORY_FILE), BUYERS_SQL, SNAPSHOTS_TAKEN_SQL);
      texts.push(countSql(SEGMENT_MAP_TABLE));
    }
    if (step.kind === "clv") texts.push(readSql(CLV_HISTORY_SQL));
    if (step.kind === "stats") texts.push(...Object.values(statTestInputTexts()));
  }
  return texts;
}
