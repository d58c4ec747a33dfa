import type { MaterializeTarget, Warehouse } from "../backends/types";
import type { SqlParam } from "../sql/render";
import { readSql } from "../sql/sqlFiles";
import { type MartDeclaration, martsInDependencyOrder } from "./catalog";

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

/** The history statement applied after the RFM snapshot, so `snapshots` holds both. */
export const RFM_HISTORY_FILE = "rfm/rfm_segment_history.sql";

/** Where a declaration writes for one run date. */
export function martTarget(decl: MartDeclaration, runDate: string): MaterializeTarget {
  if (decl.materialization.kind === "table") return { dataset: decl.dataset, table: decl.name };
  if (!decl.partitioning)
    throw new Error(`Mart ${decl.name} is per-date but declares no partitioning`);
  return {
    dataset: decl.dataset,
    table: decl.name,
    partition: { column: decl.partitioning.column, date: runDate },
  };
}

/**
 * Refreshes every mart for one run date, in dependency order, each through
 * `warehouse.materialize` (the same BigQuery SQL the scheduled queries run; the DuckDB warehouse
 * translates it). Both DATE parameters get the run date, so the RFM snapshot of that day is taken
 * and its segment history updated. Stops at the first failure, naming the mart.
 */
export async function runMarts(warehouse: Warehouse, options: RunMartsOptions): Promise<MartRun[]> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.runDate)) {
    throw new Error(`runDate "${options.runDate}" is not YYYY-MM-DD`);
  }
  const params: Record<string, SqlParam> = {
    run_date: { date: options.runDate },
    snapshot_date: { date: options.runDate },
  };
  const marts = martsInDependencyOrder();
  const runs: MartRun[] = [];
  for (const [index, decl] of marts.entries()) {
    options.onProgress?.(decl.name, index, marts.length);
    const started = performance.now();
    try {
      const { rows } = await warehouse.materialize(
        martTarget(decl, options.runDate),
        readSql(decl.file),
        params,
      );
      if (decl.name === "rfm_daily") await warehouse.execute(readSql(RFM_HISTORY_FILE), params);
      runs.push({ name: decl.name, rows, seconds: (performance.now() - started) / 1000 });
    } catch (error) {
      throw new Error(`Mart ${decl.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  return runs;
}
