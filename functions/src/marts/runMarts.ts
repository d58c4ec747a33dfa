import type { Warehouse } from "../backends/types";
import { applyRfmHistory, assertHistoryAccepts } from "../rfm/rfmHistory";
import type { SqlParam } from "../sql/render";
import { readSql } from "../sql/sqlFiles";
import { martsInDependencyOrder } from "./catalog";
import { readColumnDocs } from "./columnDocs";
import { isCalendarDate, martTarget } from "./targets";

export { isCalendarDate, martTarget } from "./targets";

/** What one mart's refresh produced: rows written (the partition's rows for per-date marts). */
export interface MartRun {
  readonly name: string;
  readonly rows: number;
  readonly seconds: number;
}

export interface RunMartsOptions {
  /** Observation end, YYYY-MM-DD: locally the last day of data; in the cloud the run's date. */
  readonly runDate: string;
  /** Called before each mart starts, with its position in the run. */
  readonly onProgress?: (name: string, index: number, total: number) => void;
}

/**
 * Refreshes every mart for one run date, in dependency order, each through
 * `warehouse.materialize` (the same BigQuery SQL the scheduled queries run; the DuckDB warehouse
 * translates it). Both DATE parameters get the run date, so the RFM snapshot of that day is taken
 * and its segment history updated (so a date older than the history's latest is refused before
 * anything is written). Stops at the first failure, naming the mart.
 */
export async function runMarts(warehouse: Warehouse, options: RunMartsOptions): Promise<MartRun[]> {
  if (!isCalendarDate(options.runDate)) {
    throw new Error(`runDate "${options.runDate}" is not a YYYY-MM-DD calendar date`);
  }
  const params: Record<string, SqlParam> = {
    run_date: { date: options.runDate },
    snapshot_date: { date: options.runDate },
  };
  const marts = martsInDependencyOrder();
  if (marts.some((m) => m.name === "rfm_daily"))
    await assertHistoryAccepts(warehouse, options.runDate);
  const runs: MartRun[] = [];
  for (const [index, decl] of marts.entries()) {
    options.onProgress?.(decl.name, index, marts.length);
    const started = performance.now();
    try {
      const target = martTarget(decl, options.runDate);
      const { rows } = await warehouse.materialize(target, readSql(decl.file), params);
      await warehouse.describeTable?.(target, decl.description, readColumnDocs(decl));
      if (decl.name === "rfm_daily") await applyRfmHistory(warehouse, options.runDate);
      runs.push({ name: decl.name, rows, seconds: (performance.now() - started) / 1000 });
    } catch (error) {
      throw new Error(`Mart ${decl.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  return runs;
}
