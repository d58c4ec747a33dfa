import type { DuckDBConnection } from "@duckdb/node-api";
import type { RawTableName } from "../contract";

/** What slice of which world to generate. Every field is part of the determinism contract. */
export interface GenerateOptions {
  /** Seed of every random draw; default 42. */
  seed: number;
  /** Total users in the world (reference 30_000). */
  users: number;
  /** First day of the world, YYYY-MM-DD (signups begin here). */
  startDate: string;
  /** Last day of the world = observation end, inclusive. */
  endDate: string;
  /** Only users with index in [from, to) (0-based index in id order). */
  userRange?: { from: number; to: number };
  /**
   * Only rows of partitioned tables whose partition day (contract partitionColumn, UTC) is within
   * [start, end]; tables without a partition column are produced as of dateRange.end.
   */
  dateRange?: { start: string; end: string };
}

/** The reference world: 30k users signing up over two years, seed 42. */
export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = {
  seed: 42,
  users: 30_000,
  startDate: "2024-01-01",
  endDate: "2025-12-31",
};

/** Splits `users` into `count` contiguous user ranges; shard `index` of them. */
export function shardUserRange(
  users: number,
  index: number,
  count: number,
): { from: number; to: number } {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shard count must be >= 1, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new Error(`shard index must be in [0, ${count}), got ${index}`);
  return {
    from: Math.floor((users * index) / count),
    to: Math.floor((users * (index + 1)) / count),
  };
}

/**
 * Generates the selected slice of the world into tables `gen.<table>` of the given DuckDB
 * connection (schema `gen` created/replaced), each with exactly the contract's columns in contract
 * order and types, and returns row counts per table.
 */
export async function generateShop(
  connection: DuckDBConnection,
  options: GenerateOptions,
  onProgress?: (stage: string, done: number, total: number) => void,
): Promise<Record<RawTableName, number>> {
  void connection;
  void options;
  void onProgress;
  throw new Error("generateShop: not implemented yet");
}
