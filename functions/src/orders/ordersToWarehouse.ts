import type { Lake, Warehouse } from "../backends/types";
import { daysBetween } from "../pipeline/lakePaths";
import { writeLake } from "../pipeline/writeLake";
import { closeDuckDb, openDuckDb } from "../warehouse/duckdb";
import { loadOrdersFile, ORDERS_SCHEMA, type OrdersLoadSummary } from "./loadOrdersFile";
import type { OrdersMapping } from "./mapping";

export interface OrdersToWarehouseSummary extends OrdersLoadSummary {
  /** Lake paths written. */
  readonly files: number;
  /** The warehouse's load labels. */
  readonly loadJobs: readonly string[];
}

/**
 * "Bring your own orders", end to end: reads and cleans the file into the contract tables in a
 * private in-memory DuckDB, writes them to the lake with the same writer as the generated shop
 * (one Parquet file per table and day, zero-row files for the absent tables), and replaces those
 * partitions in the warehouse with the same load. Bad input stops in the first step, before the
 * lake or the warehouse is touched.
 */
export async function ordersToWarehouse(
  file: string,
  mapping: OrdersMapping,
  backends: { readonly lake: Lake; readonly warehouse: Warehouse },
): Promise<OrdersToWarehouseSummary> {
  const db = await openDuckDb(":memory:");
  try {
    const summary = await loadOrdersFile(db.connection, file, mapping, ORDERS_SCHEMA);
    const written = await writeLake(db, backends.lake, {
      days: daysBetween(summary.firstDay, summary.lastDay),
      sourceSchema: ORDERS_SCHEMA,
    });
    await backends.warehouse.ensureRawTables();
    const report = await backends.warehouse.replacePartitions(written.loads);
    return { ...summary, files: written.files.length, loadJobs: report.jobs };
  } finally {
    closeDuckDb(db);
  }
}
