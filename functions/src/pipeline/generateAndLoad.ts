import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RawTableName } from "../contract";
import type { Lake, Warehouse } from "../backends/types";
import { shardUserRange } from "../generator";
import { closeDuckDb, openDuckDb } from "../warehouse/duckdb";
import { daysBetween, WHOLE_RUN, type Shard } from "./lakePaths";
import { generateToLake } from "./generateToLake";

export interface GenerateAndLoadRequest {
  readonly seed: number;
  readonly users: number;
  /** First day of the simulated world. */
  readonly startDate: string;
  /** Last day of the simulated world (the observation end). */
  readonly endDate: string;
  /** The days to produce and load; default the whole world. */
  readonly dateRange?: { readonly start: string; readonly end: string };
  /** Only this slice of the users (a fan-out backfill); default all users. */
  readonly shard?: Shard;
  /** Generate and count, write nothing. */
  readonly dryRun?: boolean;
}

export interface GenerateAndLoadSettings {
  /** DuckDB `memory_limit` of the generation database; beyond it DuckDB spills to a temp folder. */
  readonly memoryLimit?: string;
  /** Where Parquet files are staged before they go to the lake. */
  readonly stagingDir?: string;
  /** Users generated and written per batch; default `WORLD.batchUsers`. */
  readonly batchUsers?: number;
}

export type PipelineStage = "generate" | "lake" | "load";

/** A progress report; `done`/`total` count the stage's own units (generator steps, files). */
export interface PipelineProgress {
  readonly stage: PipelineStage;
  readonly detail: string;
  readonly done: number;
  readonly total: number;
}

export interface GenerateAndLoadSummary {
  /** Rows generated per table (written and loaded unless a dry run). */
  readonly rows: Record<RawTableName, number>;
  /** Lake paths written, sorted. */
  readonly files: string[];
  /** The warehouse's load labels (BigQuery job ids, DuckDB statement labels). */
  readonly loadJobs: string[];
  /** Wall seconds per stage, and `total`. */
  readonly seconds: Record<PipelineStage | "total", number>;
}

/**
 * DuckDB's buffer limit for generation. Batches go to the lake one at a time, so a batch always
 * fits: the reference run and a 10x run both peak near 0.8 GiB of process RSS with 500MB, where
 * 1GB bought no speed. Beyond the limit DuckDB spills to a temp folder.
 */
export const DEFAULT_GENERATION_MEMORY_LIMIT = "500MB";

/**
 * The one generate-and-load path, shared by `npm start` and the `generateData` Cloud Function:
 * generates the requested slice of the shop in a private in-memory DuckDB, batch by batch, each
 * batch written to the lake as Parquet before the next is generated (`generateToLake`), then
 * replaces, in one `replacePartitions` call, every partition the run owns.
 *
 * A run owns every day of its date range for every partitioned table, and the tables replaced
 * whole. A day with no rows is written as a zero-row Parquet file and loaded as such, so the
 * partition is emptied: a rerun at a smaller scale never keeps stale rows, and a rerun of the
 * same request never duplicates any.
 */
export async function generateAndLoad(
  request: GenerateAndLoadRequest,
  backends: { readonly lake: Lake; readonly warehouse: Warehouse },
  onProgress?: (progress: PipelineProgress) => void,
  settings: GenerateAndLoadSettings = {},
): Promise<GenerateAndLoadSummary> {
  const shard = request.shard ?? WHOLE_RUN;
  shardUserRange(request.users, shard.index, shard.count); // a bad shard fails before any work
  const range = request.dateRange ?? { start: request.startDate, end: request.endDate };
  const days = daysBetween(range.start, range.end);
  const seconds = { generate: 0, lake: 0, load: 0, total: 0 };
  const began = performance.now();
  const timed = async <T>(stage: PipelineStage, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      seconds[stage] = round((performance.now() - start) / 1000);
    }
  };

  const spill = await mkdtemp(join(tmpdir(), "generate-"));
  const db = await openDuckDb(":memory:", {
    memoryLimit: settings.memoryLimit ?? DEFAULT_GENERATION_MEMORY_LIMIT,
  });
  let open = true;
  const release = () => {
    if (open) closeDuckDb(db);
    open = false;
  };
  try {
    await db.connection.run(`set temp_directory = '${spill.replace(/'/g, "''")}'`);
    const written = await generateToLake(
      db,
      backends.lake,
      {
        seed: request.seed,
        users: request.users,
        startDate: request.startDate,
        endDate: request.endDate,
        ...(request.dateRange ? { dateRange: { ...request.dateRange } } : {}),
        days,
        shard,
        ...(settings.batchUsers ? { batchUsers: settings.batchUsers } : {}),
        ...(request.dryRun ? { dryRun: true } : {}),
        ...(settings.stagingDir ? { stagingDir: settings.stagingDir } : {}),
      },
      onProgress,
    );
    const rows = written.rows;
    seconds.generate = round(written.seconds.generate);
    seconds.lake = round(written.seconds.lake);
    if (request.dryRun) {
      seconds.total = round((performance.now() - began) / 1000);
      return { rows, files: [], loadJobs: [], seconds };
    }

    release(); // the generated tables are in the lake now; free their memory before loading

    const report = await timed("load", async () => {
      onProgress?.({ stage: "load", detail: "raw", done: 0, total: written.loads.length });
      await backends.warehouse.ensureRawTables();
      const result = await backends.warehouse.replacePartitions(written.loads);
      onProgress?.({
        stage: "load",
        detail: "raw",
        done: written.loads.length,
        total: written.loads.length,
      });
      return result;
    });
    seconds.total = round((performance.now() - began) / 1000);
    return { rows, files: [...written.files], loadJobs: [...report.jobs], seconds };
  } finally {
    release();
    await rm(spill, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
