import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RAW_TABLE_NAMES, type RawTableName } from "../contract";
import type { Lake, Warehouse } from "../backends/types";
import { closeDuckDb, openDuckDb } from "../warehouse/duckdb";
import {
  assertSameWorld,
  LAKE_MANIFEST_PATH,
  laterDay,
  manifestFromJson,
  manifestOf,
  manifestToJson,
  syntheticWorld,
  type WorldIdentity,
  type WorldManifest,
} from "../world/manifest";
import { daysBetween, WHOLE_RUN, type Shard } from "./lakePaths";
import { assertShard, generateToLake } from "./generateToLake";
import { checkOwnership, lakeLoads, settleLake, splitTables, stateDecision } from "./lakeOwnership";

/** What a run does: everything, only the lake files (a fan-out), or only the warehouse load. */
export type RunStage = "all" | "lake" | "load";

export interface GenerateAndLoadRequest {
  readonly seed: number;
  /** Scale: users who sign up over the world's first two years. */
  readonly users: number;
  /** First day of the simulated world. */
  readonly startDate: string;
  /** The days to produce and load, both included. */
  readonly dateRange: { readonly start: string; readonly end: string };
  /** Only this shard of the users (a fan-out); default all users. */
  readonly shard?: Shard;
  /** Generate and count, write nothing, open no backend. */
  readonly dryRun?: boolean;
  /** Default `all`. */
  readonly stage?: RunStage;
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
  /**
   * Rows per table: generated (and written to the lake unless a dry run) for `all` and `lake`,
   * loaded from the lake for `load`.
   */
  readonly rows: Record<RawTableName, number>;
  /** Lake paths written, sorted. */
  readonly files: string[];
  /** The warehouse's load labels (BigQuery job ids, DuckDB statement labels). */
  readonly loadJobs: string[];
  /** The day the state tables were written as of, or null when the run left them. */
  readonly stateAsOf: string | null;
  /**
   * The warehouse's last loaded day after the run: as it was for a lake-only run (null when
   * nothing was loaded yet), null for a dry run.
   */
  readonly dataThrough: string | null;
  /** The world the data holds. */
  readonly world: WorldManifest;
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
 * Reads the world manifests of the warehouse and the lake and refuses a world other than
 * `identity` (`WorldMismatchError`, before anything is written). Returns the warehouse's.
 */
export async function checkWorld(
  backends: { readonly lake: Lake; readonly warehouse: Warehouse },
  identity: WorldIdentity,
): Promise<WorldManifest | null> {
  const [held, lakeText] = await Promise.all([
    backends.warehouse.readManifest(),
    backends.lake.readText(LAKE_MANIFEST_PATH),
  ]);
  assertSameWorld("The warehouse", held, identity);
  const lakeHeld =
    lakeText === null ? null : manifestFromJson(lakeText, `lake ${LAKE_MANIFEST_PATH}`);
  assertSameWorld("The lake", lakeHeld, identity);
  return held;
}

/**
 * The one generate-and-load path, shared by `npm start`, the replay and the `generateData`
 * Cloud Function: checks the world, generates the requested days of the shop in a private
 * in-memory DuckDB batch by batch, each batch written to the lake as Parquet before the next is
 * generated (`generateToLake`), settles which files the run replaced (`lakeOwnership.ts`), then
 * replaces, in one `replacePartitions` call with the manifest, every partition the run owns.
 *
 * A run owns every day of its range for its shard (the whole day without a shard). A day with
 * no rows is written as a zero-row file and loaded as such, so a rerun never keeps stale rows
 * and never duplicates any. The state tables are written only at the frontier (see
 * `stateDecision`), so a run for a past day never rewinds them.
 */
export async function generateAndLoad(
  request: GenerateAndLoadRequest,
  backends: { readonly lake: Lake; readonly warehouse: Warehouse },
  onProgress?: (progress: PipelineProgress) => void,
  settings: GenerateAndLoadSettings = {},
): Promise<GenerateAndLoadSummary> {
  const shard = request.shard ?? WHOLE_RUN;
  assertShard(shard); // a bad shard fails before any work
  const range = request.dateRange;
  const days = daysBetween(range.start, range.end);
  if (range.start < request.startDate)
    throw new Error(`${range.start} is before the world's first day ${request.startDate}`);
  const stage = request.stage ?? "all";
  const identity = syntheticWorld(request);
  const seconds = { generate: 0, lake: 0, load: 0, total: 0 };
  const began = performance.now();
  const { dayTables, stateTables } = splitTables(RAW_TABLE_NAMES);
  const rows = Object.fromEntries(RAW_TABLE_NAMES.map((t) => [t, 0])) as Record<
    RawTableName,
    number
  >;

  const held = request.dryRun ? null : await checkWorld(backends, identity);
  let files: string[] = [];
  let stateAsOf: string | null = null;
  if (stage !== "load") {
    const check = request.dryRun
      ? { latestStateAsOf: null, ownStateAsOf: null, otherCountState: null }
      : await checkOwnership(backends.lake, { shard, days, dayTables, stateTables });
    const state = stateDecision(shard, range.end, check);
    const written = await generateDays(
      request,
      backends.lake,
      { days, shard, writeState: state.write, stateAsOf: state.asOf },
      settings,
      onProgress,
    );
    Object.assign(rows, written.rows);
    seconds.generate = round(written.seconds.generate);
    seconds.lake = round(written.seconds.lake);
    if (request.dryRun) {
      seconds.total = round((performance.now() - began) / 1000);
      return {
        rows,
        files: [],
        loadJobs: [],
        stateAsOf: null,
        dataThrough: null,
        world: manifestOf(identity, null),
        seconds,
      };
    }
    files = [...written.files];
    stateAsOf = state.write ? state.asOf : null;
    await settleLake(backends.lake, {
      shard,
      days,
      dayTables,
      stateTables: state.write ? stateTables : [],
      written: new Set(files),
    });
    await writeLakeManifest(backends.lake, identity, range.end);
  }
  if (stage === "lake") {
    seconds.total = round((performance.now() - began) / 1000);
    return {
      rows,
      files,
      loadJobs: [],
      stateAsOf,
      dataThrough: held?.dataThrough ?? null,
      world: manifestOf(identity, held?.dataThrough ?? null),
      seconds,
    };
  }

  const manifest = manifestOf(identity, laterDay(held?.dataThrough ?? null, range.end));
  const report = await timed(seconds, "load", async () => {
    const loads = await lakeLoads(backends.lake, {
      days,
      dayTables,
      stateTables: stage === "load" || stateAsOf !== null ? stateTables : [],
    });
    onProgress?.({ stage: "load", detail: "raw", done: 0, total: loads.length });
    await backends.warehouse.ensureRawTables();
    const result = await backends.warehouse.replacePartitions(loads, { manifest });
    onProgress?.({ stage: "load", detail: "raw", done: loads.length, total: loads.length });
    return result;
  });
  if (stage === "load")
    for (const [table, n] of Object.entries(report.rows)) rows[table as RawTableName] = n;
  seconds.total = round((performance.now() - began) / 1000);
  return {
    rows,
    files,
    loadJobs: [...report.jobs],
    stateAsOf,
    dataThrough: manifest.dataThrough,
    world: manifest,
    seconds,
  };
}

/** Generates the run's days into the lake in a private in-memory DuckDB, freed afterwards. */
async function generateDays(
  request: GenerateAndLoadRequest,
  lake: Lake,
  run: { days: string[]; shard: Shard; writeState: boolean; stateAsOf: string },
  settings: GenerateAndLoadSettings,
  onProgress?: (progress: PipelineProgress) => void,
): ReturnType<typeof generateToLake> {
  const spill = await mkdtemp(join(tmpdir(), "generate-"));
  const db = await openDuckDb(":memory:", {
    memoryLimit: settings.memoryLimit ?? DEFAULT_GENERATION_MEMORY_LIMIT,
  });
  try {
    await db.connection.run(`set temp_directory = '${spill.replace(/'/g, "''")}'`);
    return await generateToLake(
      db,
      lake,
      {
        seed: request.seed,
        users: request.users,
        startDate: request.startDate,
        dateRange: { ...request.dateRange },
        days: run.days,
        shard: run.shard,
        writeState: run.writeState,
        stateAsOf: run.stateAsOf,
        ...(settings.batchUsers ? { batchUsers: settings.batchUsers } : {}),
        ...(request.dryRun ? { dryRun: true } : {}),
        ...(settings.stagingDir ? { stagingDir: settings.stagingDir } : {}),
      },
      onProgress,
    );
  } finally {
    closeDuckDb(db);
    await rm(spill, { recursive: true, force: true });
  }
}

/** The lake's manifest: the world, and the latest day whose files it holds. */
export async function writeLakeManifest(
  lake: Lake,
  identity: WorldIdentity,
  day: string,
): Promise<void> {
  const text = await lake.readText(LAKE_MANIFEST_PATH);
  const held = text === null ? null : manifestFromJson(text, `lake ${LAKE_MANIFEST_PATH}`);
  const through = laterDay(held?.dataThrough ?? null, day);
  if (held?.dataThrough === through) return;
  await lake.putText(LAKE_MANIFEST_PATH, manifestToJson(manifestOf(identity, through)));
}

async function timed<T>(
  seconds: Record<string, number>,
  stage: string,
  work: () => Promise<T>,
): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    seconds[stage] = round((performance.now() - start) / 1000);
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
