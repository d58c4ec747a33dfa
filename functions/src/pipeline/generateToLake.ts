import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { RAW_TABLE_NAMES, type RawTableName } from "../contract";
import type { Lake, PartitionLoad } from "../backends/types";
import { generateShop, shardUserRange, viewDaySources, type GenerateOptions } from "../generator";
import { WORLD } from "../generator/params";
import type { Shard } from "./lakePaths";
import { isUserTable, lakeLoads, writeLake } from "./writeLake";

/** One batch of a run: a slice of the users, written to the lake as its own sub-shard. */
export interface LakeBatch {
  /** The sub-shard its files are named after: `part-<index>-of-<count>`. */
  readonly shard: Shard;
  readonly userRange: { readonly from: number; readonly to: number };
}

/**
 * Splits the run's shard into batches of at most `batchUsers` users. Every shard of a fan-out
 * splits into the same number of parts, so batch `j` of shard `i` is shard `i * parts + j` of
 * `count * parts` and its user range is exactly that shard's (`shardUserRange` nests): the files
 * of all batches of all shards name one consistent layout, and a rerun overwrites them all.
 */
export function lakeBatches(users: number, shard: Shard, batchUsers: number): LakeBatch[] {
  if (!Number.isInteger(batchUsers) || batchUsers < 1)
    throw new Error(`batchUsers must be a positive integer, got ${batchUsers}`);
  shardUserRange(users, shard.index, shard.count); // validates the shard
  const parts = Math.max(1, Math.ceil(Math.ceil(users / shard.count) / batchUsers));
  return Array.from({ length: parts }, (_, j) => {
    const sub = { index: shard.index * parts + j, count: shard.count * parts };
    return { shard: sub, userRange: shardUserRange(users, sub.index, sub.count) };
  });
}

export interface GenerateToLakeRequest {
  readonly seed: number;
  readonly users: number;
  readonly startDate: string;
  readonly endDate: string;
  /** The days to produce; default the whole world. */
  readonly dateRange?: { readonly start: string; readonly end: string };
  /** The days the run owns, `YYYY-MM-DD`: each gets a file per batch, zero-row when empty. */
  readonly days: readonly string[];
  readonly shard: Shard;
  /** Users per batch; default `WORLD.batchUsers`. */
  readonly batchUsers?: number;
  /** Generate and count only. */
  readonly dryRun?: boolean;
  /** Where Parquet files are staged before they go to the lake. */
  readonly stagingDir?: string;
}

export interface GenerateToLakeResult {
  readonly rows: Record<RawTableName, number>;
  /** Lake paths written, sorted. */
  readonly files: readonly string[];
  /** One load per owned partition (or whole table), listing every file now in it. */
  readonly loads: readonly PartitionLoad[];
  /** Wall seconds spent generating and writing the lake, summed over batches. */
  readonly seconds: { readonly generate: number; readonly lake: number };
}

/** Progress of the generator (users done) or of the lake write (a table's files uploaded). */
export interface GenerateToLakeProgress {
  readonly stage: "generate" | "lake";
  readonly detail: string;
  readonly done: number;
  readonly total: number;
}

/**
 * Generates the run batch by batch and writes each batch to the lake before generating the next,
 * so the generated rows in memory are one batch's at any scale: ten times the users means ten
 * batches, not ten times the memory. The lake's loads are listed once, after the last batch.
 */
export async function generateToLake(
  db: { readonly instance: DuckDBInstance; readonly connection: DuckDBConnection },
  lake: Lake,
  request: GenerateToLakeRequest,
  onProgress?: (progress: GenerateToLakeProgress) => void,
): Promise<GenerateToLakeResult> {
  const batches = lakeBatches(request.users, request.shard, request.batchUsers ?? WORLD.batchUsers);
  const first = batches[0]!.userRange.from;
  const total = batches[batches.length - 1]!.userRange.to - first;
  const rows = Object.fromEntries(RAW_TABLE_NAMES.map((t) => [t, 0])) as Record<
    RawTableName,
    number
  >;
  const files: string[] = [];
  const seconds = { generate: 0, lake: 0 };
  const timed = async <T>(stage: keyof typeof seconds, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      seconds[stage] += (performance.now() - start) / 1000;
    }
  };

  for (const batch of batches) {
    const offset = batch.userRange.from - first;
    const options: GenerateOptions = {
      seed: request.seed,
      users: request.users,
      startDate: request.startDate,
      endDate: request.endDate,
      userRange: { ...batch.userRange },
      ...(request.dateRange ? { dateRange: { ...request.dateRange } } : {}),
    };
    const counts = await timed("generate", () =>
      generateShop(db.connection, options, (detail, done) =>
        onProgress?.({ stage: "generate", detail, done: offset + done, total }),
      ),
    );
    // Every batch generates the world tables (products, promotions) again: count them once.
    for (const table of RAW_TABLE_NAMES)
      if (batch === batches[0] || isUserTable(table)) rows[table] += counts[table];
    if (request.dryRun) continue;
    const written = await timed("lake", () =>
      writeLake(db, lake, {
        days: request.days,
        shard: batch.shard,
        stagingDir: request.stagingDir,
        listLoads: false,
        // Sessions and events are views over the session draws: each share computes its days.
        daySources: viewDaySources(options),
        onProgress: (table, done, files) =>
          onProgress?.({ stage: "lake", detail: table, done, total: files }),
      }),
    );
    files.push(...written.files);
  }
  const loads = request.dryRun
    ? []
    : await timed("lake", () => lakeLoads(lake, request.days, batches[0]!.shard.count));
  return { rows, files: files.sort(), loads, seconds };
}
