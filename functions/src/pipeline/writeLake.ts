import { accessSync, constants, statfsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  duckdbCastColumns,
  RAW_TABLE_NAMES,
  RAW_TABLES,
  type RawTableName,
  type TableDef,
} from "../contract";
import { dayRangeSql, utcDaySql } from "../warehouse/daySql";
import type { Lake } from "../backends/types";
import { forEachLimited } from "../forEachLimited";
import { partFilePath, WHOLE_RUN, type PartFile } from "./lakePaths";

export interface WriteLakeOptions {
  /**
   * Every partition day this run owns, `YYYY-MM-DD`. Each gets a file for every partitioned
   * table, a zero-row one when the day has no rows, so a rerun at a smaller scale leaves no stale
   * rows behind. Rows on any other day are refused (or, for a table balanced like another, never
   * computed): writing them would replace a day this run does not fully own.
   */
  readonly days: readonly string[];
  /** The run's shard and batch, which name its files; default the whole run's batch 0. */
  readonly part?: PartFile;
  /** The day the state tables (those without a partition column) describe: their `asof=` folder. */
  readonly asOf: string;
  /** Tables to write; default all of them. */
  readonly tables?: readonly RawTableName[];
  /** Schema of the generated tables in `connection`; default `gen`. */
  readonly sourceSchema?: string;
  /**
   * SQL of a partitioned table's rows on the days `first`..`last` (`YYYY-MM-DD`), for a source a
   * day filter cannot prune: the generator's sessions and events are views that each share
   * computes only for its own days. Every other table is read from `sourceSchema` and filtered
   * by day.
   */
  readonly daySources?: Partial<Record<RawTableName, (first: string, last: string) => string>>;
  /**
   * Tables with a day source that are not counted per day before they are written, each with
   * the table whose rows per day balance its shares instead. Counting the generator's events
   * computed every event once more (0.33-0.34 s); sessions, counted anyway, have the same daily
   * shape. A two-year lake write took 2.94-3.13 s instead of 3.14-3.31 s (three alternating
   * runs), and the events wrote as fast in the fewer, larger shares this gives (1.60-1.75 s).
   * Such a table's rows are counted as its COPYs write them, and its rows on days the run does
   * not own are never computed, so there is nothing to refuse.
   */
  readonly balancedLike?: Partial<Record<RawTableName, RawTableName>>;
  /** Where Parquet files are written before `lake.putFile`; default a RAM-backed temp folder. */
  readonly stagingDir?: string;
  /** DuckDB connections writing at once, each a share of the days; default the cores, at most 4. */
  readonly parallelism?: number;
  /** Rows one partitioned COPY handles at most (default 100k). */
  readonly rowsPerCopy?: number;
  readonly onProgress?: (table: RawTableName, done: number, total: number) => void;
}

export interface LakeWrite {
  /** Lake paths written by this run, sorted. */
  readonly files: readonly string[];
  /** Rows written per partitioned table (as the COPYs report them). */
  readonly rows: Partial<Record<RawTableName, number>>;
}

/**
 * Rows one partitioned COPY handles at most: a COPY buffers every row of its share, per day,
 * before it writes a file, so this bounds the rows each connection holds. It must stay below the
 * flush threshold set in `writeLake`, or a day could be flushed in two files. Small shares were
 * also faster: the events (1.8M rows) wrote in 1.2-1.3 s as 100k-row shares against 1.9-2.2 s as
 * 1M-row shares, and below 100k rows the gain stopped. Shares are cheap to add because a share's
 * scan skips the row groups of other days (the tables are in day order).
 */
const ROWS_PER_COPY = 100_000;

/**
 * COPY statements per connection: a few more than one, so a connection that finishes early takes
 * the next share instead of waiting for the busiest one.
 */
const SHARES_PER_WORKER = 2;

/**
 * What a day's file costs to write, in rows: opening, encoding and closing a small Parquet file
 * took about as long as 600 more event rows, so a share of many quiet days is not the slow one.
 */
const FILE_COST_IN_ROWS = 600;

/** Parallel object uploads; GCS is latency-bound, a folder does not mind. */
const PUT_CONCURRENCY = 16;

/**
 * Writes generated tables to the lake as Parquet (snappy), one file per (table, day, shard, batch)
 * in the layout of `pipeline/lakePaths.ts`, and returns the paths written. Which files then make
 * up each partition is `lakeOwnership.ts`'s business.
 *
 * Rows are not sorted here: the generator inserts every table in day order, deterministically,
 * so each COPY streams its rows into one day file after another (sorting 1.8M events again cost
 * more than writing them). A day's file keeps the table's order, and each partitioned COPY runs
 * single-threaded (with more threads the order inside a file depends on timing), so files are
 * byte-reproducible. The cores are used instead by several connections at once, each writing
 * shares of the days balanced by rows. Tables replaced whole are small and sorted by primary key.
 * TIMESTAMP columns are written as TIMESTAMPTZ, which BigQuery loads as TIMESTAMP. Files are
 * staged locally and handed to `lake.putFile`, so the same code writes a folder or a bucket.
 *
 * Tables without a `user_id` column (products, promo_calendar) describe the whole world, not a
 * user shard; only batch 0 of shard 0 writes them.
 */
export async function writeLake(
  db: { readonly instance: DuckDBInstance; readonly connection: DuckDBConnection },
  lake: Lake,
  options: WriteLakeOptions,
): Promise<LakeWrite> {
  const part = options.part ?? { shard: WHOLE_RUN, batch: 0 };
  const tables = options.tables ?? RAW_TABLE_NAMES;
  const source = options.sourceSchema ?? "gen";
  const days = [...new Set(options.days)].sort();
  // The rows per day of every partitioned table first, with all of DuckDB's threads: a table with
  // rows outside the owned days is refused before any file is written. A table balanced like
  // another is not counted; the other is, even when it is not written.
  const perDayOf = new Map<RawTableName, ReadonlyMap<string, number>>();
  const like = options.balancedLike ?? {};
  for (const [table, other] of Object.entries(like) as [RawTableName, RawTableName][]) {
    if (!options.daySources?.[table])
      throw new Error(`${table} can be balanced like ${other} only with a day source of its own`);
    // The other is not counted either: the shares would be balanced by day count alone.
    if (like[other] !== undefined)
      throw new Error(
        `${table} can be balanced like ${other} only if ${other} is counted, not balanced like ${like[other]}`,
      );
  }
  for (const table of new Set(tables.flatMap((t) => [t, like[t] ?? t]))) {
    const def = RAW_TABLES[table];
    if (def.partitionColumn && ownsTable(def, part) && like[table] === undefined)
      perDayOf.set(table, await rowsPerOwnedDay(db.connection, def, `${source}.${table}`, days));
  }
  const staging = await mkdtemp(join(options.stagingDir ?? defaultStagingDir(), "lake-"));
  const connection = db.connection;
  const workers = [connection];
  const parallelism = options.parallelism ?? Math.min(4, availableParallelism());
  for (let i = 1; i < parallelism; i++) {
    const extra = await db.instance.connect();
    await extra.run("set TimeZone = 'UTC'");
    workers.push(extra);
  }
  // `threads` is global to the instance; the partitioned-write settings are per connection. A
  // COPY buffers its share by day and writes the files when the share ends: with the flush
  // threshold above any share, each day becomes exactly one file (never flushed in pieces), and
  // with one open file each day's file is written and closed before the next is opened. Keeping
  // every day's writer open until the end was a quarter slower (lake write of two years: 2.85-
  // 3.05 s against 2.19-2.26 s, three alternating runs), as each open writer holds its buffers.
  const restore = await useSettings(connection, { threads: "1" });
  const restorePerWorker = await Promise.all(
    workers.map((w) =>
      useSettings(w, {
        partitioned_write_max_open_files: "1",
        partitioned_write_flush_threshold: "1000000000",
      }),
    ),
  );
  const uploads: Promise<void>[] = [];
  try {
    const files: string[] = [];
    const rows: Partial<Record<RawTableName, number>> = {};
    // DuckDB writes the next table while earlier tables' files go to the lake: the COPYs are
    // single-threaded per connection, and the uploads wait on I/O (a bucket) or the filesystem.
    for (const table of tables) {
      const def = RAW_TABLES[table];
      const folder = join(staging, table);
      const staged = ownsTable(def, part)
        ? await stageTable(
            workers,
            def,
            `${source}.${table}`,
            folder,
            days,
            perDayOf.get(like[table] ?? table) ?? new Map(),
            part,
            options.asOf,
            options.rowsPerCopy ?? ROWS_PER_COPY,
            options.daySources?.[table],
          )
        : null;
      const writes = staged?.files ?? [];
      if (staged && def.partitionColumn) rows[table] = staged.rows;
      files.push(...writes.map((w) => w.path));
      const upload = putAll(lake, writes, (done, total) =>
        options.onProgress?.(table, done, total),
      ).then(() => rm(folder, { recursive: true, force: true }));
      upload.catch(() => undefined); // awaited below; this only marks the rejection handled
      uploads.push(upload);
    }
    await allSettled(uploads);
    return { files: files.sort(), rows };
  } finally {
    await Promise.allSettled(uploads);
    await restore();
    for (const put of restorePerWorker) await put();
    for (const extra of workers.slice(1)) extra.closeSync();
    await rm(staging, { recursive: true, force: true });
  }
}

interface StagedFile {
  readonly path: string;
  readonly localFile: string;
}

/**
 * COPYs one table into the staging folder and names each file by its lake path. A partitioned
 * table's days are split into contiguous shares that the connections COPY at the same time.
 */
async function stageTable(
  workers: readonly DuckDBConnection[],
  def: TableDef,
  source: string,
  folder: string,
  days: readonly string[],
  perDay: ReadonlyMap<string, number>,
  part: PartFile,
  asOf: string,
  rowsPerCopy: number,
  daySource?: (first: string, last: string) => string,
): Promise<{ files: StagedFile[]; rows: number }> {
  const connection = workers[0]!;
  const columns = duckdbCastColumns(def);
  const select = `select ${columns} from ${source}`;
  const selectDays = (first: string, last: string) =>
    daySource ? `select ${columns} from (${daySource(first, last)})` : select;
  // Snappy, not zstd: a two-year run writes thousands of small day files, and zstd's per-file
  // setup and slower decoding cost about 1 s of CPU in the write and 1 s in the load at
  // reference scale, for files about 1.5 times smaller. BigQuery loads either.
  const parquet = "format parquet, compression snappy";
  if (!def.partitionColumn) {
    const file = `${folder}.parquet`;
    const copied = await connection.run(
      `copy (${select} order by ${def.primaryKey}) to '${file}' (${parquet})`,
    );
    return {
      files: [{ path: partFilePath(def.name, "asof", asOf, part), localFile: file }],
      rows: Number(copied.rowsChanged),
    };
  }

  // The shares balance rows and files, not days (a growing shop has three times the events in
  // its second year).
  const day = utcDaySql(def);
  const rows = [...perDay.values()].reduce((a, b) => a + b, 0);
  const shares = splitByWeight(
    days,
    days.map((d) => (perDay.get(d) ?? 0) + FILE_COST_IN_ROWS),
    Math.max(workers.length * SHARES_PER_WORKER, Math.ceil(rows / rowsPerCopy)),
  );
  await mkdir(folder, { recursive: true });
  const written = new Map<string, string>();
  let copiedRows = 0;
  let next = 0;
  let failed = false;
  await allSettled(
    workers.map(async (worker) => {
      while (next < shares.length && !failed) {
        const i = next++;
        const share = shares[i]!;
        try {
          const [first, last] = [share[0]!, share[share.length - 1]!];
          // The day filter stays for a day source too: a share never writes another share's day.
          const reader = await worker.runAndReadAll(
            `copy (select *, ${day} as dt from (${selectDays(first, last)}) ` +
              `where ${dayRangeSql(def, first, last)}) ` +
              `to '${join(folder, String(i))}' (${parquet}, partition_by (dt), return_files true)`,
          );
          const result = reader.getRowObjectsJson()[0];
          copiedRows += Number(result?.Count);
          for (const file of result?.Files as string[]) {
            const d = /[/\\]dt=(\d{4}-\d{2}-\d{2})[/\\]/.exec(file)?.[1];
            if (!d) throw new Error(`DuckDB wrote ${file} outside a day folder`);
            if (written.has(d)) throw new Error(`DuckDB split ${def.name} day ${d} into two files`);
            written.set(d, file);
          }
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  const empty = `${folder}-empty.parquet`;
  await connection.run(`copy (${select} limit 0) to '${empty}' (${parquet})`);
  const files = days.map((d) => ({
    path: partFilePath(def.name, "dt", d, part),
    localFile: written.get(d) ?? empty,
  }));
  return { files, rows: copiedRows };
}

/**
 * Rows per partition day of a generated table, in one scan. Rows on a day the run does not own
 * are refused: writing them would replace a partition some other run owns.
 */
async function rowsPerOwnedDay(
  connection: DuckDBConnection,
  def: TableDef,
  source: string,
  days: readonly string[],
): Promise<Map<string, number>> {
  const reader = await connection.runAndReadAll(
    `select ${utcDaySql(def)} as d, count(*) as n from ${source} group by all order by 1`,
  );
  const perDay = new Map(reader.getRowObjectsJson().map((r) => [String(r.d), Number(r.n)]));
  const owned = new Set(days);
  const stray = [...perDay].filter(([d]) => !owned.has(d));
  if (stray.length > 0) {
    throw new Error(
      `${source} has rows on days outside the run's date range (${stray
        .slice(0, 3)
        .map(([d, n]) => `${d}: ${n}`)
        .join(", ")}); writing them would replace partitions this run does not own`,
    );
  }
  return perDay;
}

/** Waits for every promise, then rethrows the first failure: no statement is left running. */
async function allSettled(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * Splits a sorted list into at most `parts` contiguous, non-empty shares of nearly equal total
 * weight (rows per day); with equal weights, nearly equal lengths.
 */
export function splitByWeight<T>(
  items: readonly T[],
  weights: readonly number[],
  parts: number,
): T[][] {
  const count = Math.max(1, Math.min(parts, items.length));
  const total = weights.reduce((a, b) => a + b, 0);
  const shares: T[][] = [];
  let current: T[] = [];
  let seen = 0;
  items.forEach((item, i) => {
    current.push(item);
    seen += total > 0 ? weights[i]! : 1;
    const goal = ((shares.length + 1) * (total > 0 ? total : items.length)) / count;
    // Cut once the share reaches its goal, keeping one item for every share still to come.
    if (
      shares.length < count - 1 &&
      seen >= goal &&
      items.length - i - 1 >= count - shares.length - 1
    ) {
      shares.push(current);
      current = [];
    }
  });
  if (current.length > 0) shares.push(current);
  return shares;
}

async function putAll(
  lake: Lake,
  files: readonly StagedFile[],
  report: (done: number, total: number) => void,
): Promise<void> {
  let done = 0;
  await forEachLimited(files, PUT_CONCURRENCY, async (file) => {
    await lake.putFile(file.path, file.localFile);
    done += 1;
    if (done % 64 === 0 || done === files.length) report(done, files.length);
  });
}

function ownsTable(def: TableDef, part: PartFile): boolean {
  return (part.shard.index === 0 && part.batch === 0) || isUserTable(def.name);
}

/** Tables with rows of users' activity; the others (products, promotions) describe the world. */
export function isUserTable(table: RawTableName): boolean {
  return RAW_TABLES[table].columns.some((c) => c.name === "user_id");
}

/** Free space a RAM-backed staging folder must have; container defaults (64 MB) fall back. */
const MIN_RAM_STAGING_BYTES = 2 * 1024 ** 3;

/**
 * A RAM-backed folder when there is a roomy one: a two-year run stages thousands of day files and
 * deletes them once uploaded, and creating and deleting files costs more on a disk (the lake write
 * took 2.65-2.87 s staged in RAM against 2.93-3.36 s staged on the disk, three runs each; DuckDB
 * does not sync the files it writes). Otherwise the system temp folder.
 */
function defaultStagingDir(): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    const space = statfsSync("/dev/shm");
    if (space.bavail * space.bsize >= MIN_RAM_STAGING_BYTES) return "/dev/shm";
  } catch {
    // no /dev/shm on this system
  }
  return tmpdir();
}

/** Applies DuckDB settings and returns a function that puts the previous values back. */
async function useSettings(
  connection: DuckDBConnection,
  settings: Record<string, string>,
): Promise<() => Promise<void>> {
  const previous: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    const reader = await connection.runAndReadAll(`select current_setting('${name}') as v`);
    previous[name] = String(reader.getRowObjectsJson()[0]?.v);
    await connection.run(`set ${name} = ${value}`);
  }
  return async () => {
    for (const [name, value] of Object.entries(previous))
      await connection.run(`set ${name} = ${value}`);
  };
}
