import type { Lake, Warehouse } from "../backends/types";
import { RAW_TABLE_NAMES } from "../contract";
import { checkWorld, writeLakeManifest } from "../pipeline/generateAndLoad";
import { lakeLoads, settleLake, splitTables } from "../pipeline/lakeOwnership";
import { daysBetween, WHOLE_RUN } from "../pipeline/lakePaths";
import { writeLake } from "../pipeline/writeLake";
import { laterDay, manifestOf, ordersWorld } from "../world/manifest";
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
 * partitions in the warehouse with the same load, with the world manifest (source `orders`, the
 * absent tables listed). Bad input stops in the first step, before the lake or the warehouse is
 * touched; a folder holding another world (the generated shop, say) is refused before writing.
 */
export async function ordersToWarehouse(
  file: string,
  mapping: OrdersMapping,
  backends: { readonly lake: Lake; readonly warehouse: Warehouse },
): Promise<OrdersToWarehouseSummary> {
  const db = await openDuckDb(":memory:");
  try {
    const summary = await loadOrdersFile(db.connection, file, mapping, ORDERS_SCHEMA);
    const identity = ordersWorld(summary);
    const held = await checkWorld(backends, identity);
    const days = daysBetween(summary.firstDay, summary.lastDay);
    const written = await writeLake(db, backends.lake, {
      days,
      asOf: summary.lastDay,
      sourceSchema: ORDERS_SCHEMA,
    });
    const tables = { days, ...splitTables(RAW_TABLE_NAMES) };
    await settleLake(backends.lake, {
      ...tables,
      shard: WHOLE_RUN,
      written: new Set(written.files),
    });
    const manifest = manifestOf(identity, laterDay(held?.dataThrough ?? null, summary.lastDay));
    await writeLakeManifest(backends.lake, identity, summary.lastDay);
    await backends.warehouse.ensureRawTables();
    const report = await backends.warehouse.replacePartitions(
      await lakeLoads(backends.lake, tables),
      { manifest },
    );
    return { ...summary, files: written.files.length, loadJobs: report.jobs };
  } finally {
    closeDuckDb(db);
  }
}
