import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { RAW_TABLE_NAMES, type RawTableName } from "../contract";
import type { Lake } from "../backends/types";
import {
  countGenerated,
  generateTables,
  GENERATED_VIEWS,
  shardSize,
  viewDaySources,
  worldUsers,
  type GenerateOptions,
} from "../generator";
import { WORLD } from "../generator/params";
import type { PartFile, Shard } from "./lakePaths";
import { splitTables } from "./lakeOwnership";
import { isUserTable, writeLake } from "./writeLake";

/** One batch of a run: a slice of the shard's users, written to the lake in files of its own. */
export interface LakeBatch {
  /** The shard and batch number its files are named after: `part-<i>-of-<n>-b<batch>`. */
  readonly part: PartFile;
  /** Global user indices [from, to) (of which the batch holds those of its shard). */
  readonly userRange: { readonly from: number; readonly to: number };
}

/**
 * Splits a shard of the `users` users signed up so far into batches of at most `batchUsers` of
 * its users. Batch `j` is always the same users (the shard's users at positions
 * `j * batchUsers` onwards), so a batch's files are the same whatever the run's days, and a
 * longer world only adds batches at the end. At least one batch, even of no users.
 */
export function lakeBatches(users: number, shard: Shard, batchUsers: number): LakeBatch[] {
  if (!Number.isInteger(batchUsers) || batchUsers < 1)
    throw new Error(`batchUsers must be a positive integer, got ${batchUsers}`);
  assertShard(shard);
  const parts = Math.max(1, Math.ceil(shardSize(users, shard) / batchUsers));
  const span = batchUsers * shard.count;
  return Array.from({ length: parts }, (_, j) => ({
    part: { shard, batch: j },
    userRange: { from: j * span, to: (j + 1) * span },
  }));
}

/** A shard is an index below a count, both integers, the count at least one. */
export function assertShard(shard: Shard): void {
  if (!Number.isInteger(shard.count) || shard.count < 1)
    throw new Error(`shard count must be an integer >= 1, got ${shard.count}`);
  if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count)
    throw new Error(`shard index must be an integer in [0, ${shard.count}), got ${shard.index}`);
}

export interface GenerateToLakeRequest {
  readonly seed: number;
  readonly users: number;
  readonly startDate: string;
  /** The days to produce, both included. */
  readonly dateRange: { readonly start: string; readonly end: string };
  /** Every day of the range, `YYYY-MM-DD`: each gets a file per batch, zero-row when empty. */
  readonly days: readonly string[];
  readonly shard: Shard;
  /** Write the state tables, as of `stateAsOf` (`lakeOwnership.stateDecision`). */
  readonly writeState: boolean;
  readonly stateAsOf: string;
  /** Users per batch; default `WORLD.batchUsers`. */
  readonly batchUsers?: number;
  /** Generate and count only. */
  readonly dryRun?: boolean;
  /** Where Parquet files are staged before they go to the lake. */
  readonly stagingDir?: string;
}

export interface GenerateToLakeResult {
  /** Rows generated per table (the state tables only when written). */
  readonly rows: Record<RawTableName, number>;
  /** Lake paths written, sorted. */
  readonly files: readonly string[];
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
 * batches, not ten times the memory. A batch writes the days from its first user's signup on
 * (batch 0 every day, zero-row files included), so the files of a day are the same whichever run
 * writes it.
 */
export async function generateToLake(
  db: { readonly instance: DuckDBInstance; readonly connection: DuckDBConnection },
  lake: Lake,
  request: GenerateToLakeRequest,
  onProgress?: (progress: GenerateToLakeProgress) => void,
): Promise<GenerateToLakeResult> {
  const endDate = request.writeState ? request.stateAsOf : request.dateRange.end;
  const world = { seed: request.seed, users: request.users, startDate: request.startDate, endDate };
  const signedUp = worldUsers(world);
  const batches = lakeBatches(
    signedUp.count,
    request.shard,
    request.batchUsers ?? WORLD.batchUsers,
  );
  const total = Math.max(1, shardSize(signedUp.count, request.shard));
  const { dayTables, stateTables } = splitTables(RAW_TABLE_NAMES);
  const tables = request.writeState ? [...dayTables, ...stateTables] : dayTables;
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
    const offset = batch.part.batch * (request.batchUsers ?? WORLD.batchUsers);
    const options: GenerateOptions = {
      ...world,
      shard: { ...request.shard },
      userRange: { ...batch.userRange },
      dateRange: { ...request.dateRange },
    };
    const counts = await timed("generate", async () => {
      await generateTables(db.connection, options, WORLD.batchUsers, (detail, done) =>
        onProgress?.({ stage: "generate", detail, done: offset + done, total }),
      );
      // A run that writes the lake counts the views' rows there, per day, once.
      const counted = request.dryRun
        ? RAW_TABLE_NAMES
        : RAW_TABLE_NAMES.filter((t) => !GENERATED_VIEWS.includes(t));
      return countGenerated(db.connection, counted);
    });
    // Every batch generates the world tables (products, promotions) again: count them once.
    const count = (table: RawTableName, n: number | undefined) => {
      if (batch.part.batch === 0 || isUserTable(table)) rows[table] += n ?? 0;
    };
    for (const table of tables) count(table, counts[table]);
    if (request.dryRun) continue;
    const firstUser = request.shard.index + batch.userRange.from;
    const firstDay = batch.part.batch === 0 ? "" : signedUp.signupDate(firstUser);
    const written = await timed("lake", () =>
      writeLake(db, lake, {
        days: request.days.filter((d) => d >= firstDay),
        part: batch.part,
        asOf: request.stateAsOf,
        tables,
        stagingDir: request.stagingDir,
        // Sessions and events are views over the session draws: each share computes its days.
        daySources: viewDaySources(options),
        balancedLike: { events: "sessions" },
        onProgress: (table, done, count) =>
          onProgress?.({ stage: "lake", detail: table, done, total: count }),
      }),
    );
    files.push(...written.files);
    for (const table of tables)
      if (GENERATED_VIEWS.includes(table)) count(table, written.rows[table]);
  }
  return { rows, files: files.sort(), seconds };
}
