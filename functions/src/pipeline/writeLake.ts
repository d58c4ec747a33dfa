import { accessSync, constants, existsSync, statfsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  DUCKDB_TYPES,
  RAW_TABLE_NAMES,
  RAW_TABLES,
  type RawTableName,
  type TableDef,
} from "../contract";
import { utcDaySql } from "../backends/duckdbWarehouse";
import type { Lake, LakeObject, PartitionLoad } from "../backends/types";
import {
  daysBetween,
  parseLakePath,
  parsePartFileName,
  partFilePath,
  tableFolder,
  WHOLE_RUN,
  type Shard,
} from "./lakePaths";

export interface WriteLakeOptions {
  /**
   * Every partition day this run owns, `YYYY-MM-DD`. Each gets a file for every partitioned
   * table, a zero-row one when the day has no rows, so a rerun at a smaller scale leaves no stale
   * rows behind. Rows on any other day are refused: writing them would replace a day this run
   * does not fully own.
   */
  readonly days: readonly string[];
  readonly shard?: Shard;
  /** Tables to write; default all eight. */
  readonly tables?: readonly RawTableName[];
  /** Schema of the generated tables in `connection`; default `gen`. */
  readonly sourceSchema?: string;
  /** Where Parquet files are written before `lake.putFile`; default a RAM-backed temp folder. */
  readonly stagingDir?: string;
  /** DuckDB connections writing at once, each a share of the days; default the cores, at most 4. */
  readonly parallelism?: number;
  /** Rows one partitioned COPY handles at most (default: one share per connection). */
  readonly rowsPerCopy?: number;
  readonly onProgress?: (table: RawTableName, done: number, total: number) => void;
}

export interface LakeWrite {
  /** Lake paths written by this run, sorted. */
  readonly files: readonly string[];
  /** One load per touched partition (or whole table), listing every file now in it. */
  readonly loads: readonly PartitionLoad[];
}

/**
 * Rows one partitioned COPY handles at most. Unbounded by default: at 10x scale, 1M-row shares
 * made each COPY rescan the spilled generation tables and took 160 s instead of 105 s.
 */
const ROWS_PER_COPY = Number.POSITIVE_INFINITY;

/** Parallel object uploads; GCS is latency-bound, a folder does not mind. */
const PUT_CONCURRENCY = 16;

/**
 * Writes generated tables to the lake as Parquet (snappy), one file per (table, day, shard) in the
 * layout of `backends/types.ts`, and returns the partition loads that make the warehouse match.
 *
 * Files are byte-reproducible: rows are ordered by primary key and each partitioned COPY runs
 * single-threaded (with more threads the row order inside a day's file depends on timing). The
 * cores are used instead by several connections at once, each writing its own share of the days.
 * TIMESTAMP columns are written as TIMESTAMPTZ, which BigQuery loads as TIMESTAMP. Files are
 * staged locally and handed to `lake.putFile`, so the same code writes a folder or a bucket.
 *
 * Tables without a `user_id` column (products, promo_calendar) describe the whole world, not a
 * user shard; only shard 0 writes them.
 */
export async function writeLake(
  db: { readonly instance: DuckDBInstance; readonly connection: DuckDBConnection },
  lake: Lake,
  options: WriteLakeOptions,
): Promise<LakeWrite> {
  const shard = options.shard ?? WHOLE_RUN;
  const tables = options.tables ?? RAW_TABLE_NAMES;
  const source = options.sourceSchema ?? "gen";
  const days = [...new Set(options.days)].sort();
  const staging = await mkdtemp(join(options.stagingDir ?? defaultStagingDir(), "lake-"));
  const connection = db.connection;
  const workers = [connection];
  const parallelism = options.parallelism ?? Math.min(4, availableParallelism());
  for (let i = 1; i < parallelism; i++) {
    const extra = await db.instance.connect();
    await extra.run("set TimeZone = 'UTC'");
    workers.push(extra);
  }
  // `threads` is global to the instance; the partitioned-write limits are per connection. With
  // the limits raised, DuckDB writes each day as exactly one file instead of flushing pieces.
  const restore = await useSettings(connection, { threads: "1" });
  const restorePerWorker = await Promise.all(
    workers.map((w) =>
      useSettings(w, {
        partitioned_write_max_open_files: "100000",
        partitioned_write_flush_threshold: "1000000000",
      }),
    ),
  );
  let uploading: Promise<void> = Promise.resolve();
  try {
    const files: string[] = [];
    const loads: PartitionLoad[] = [];
    // DuckDB writes one table while the previous table's files go to the lake: the COPY is
    // single-threaded, so the uploads use the other core. At most one table is in flight.
    for (const table of tables) {
      const def = RAW_TABLES[table];
      const folder = join(staging, table);
      const writes = ownsTable(def, shard)
        ? await stageTable(
            workers,
            def,
            `${source}.${table}`,
            folder,
            days,
            shard,
            options.rowsPerCopy ?? ROWS_PER_COPY,
          )
        : [];
      await uploading;
      uploading = (async () => {
        await putAll(lake, writes, (done, total) => options.onProgress?.(table, done, total));
        await rm(folder, { recursive: true, force: true });
        files.push(...writes.map((w) => w.path));
        loads.push(...(await partitionLoads(lake, def, def.partitionColumn ? days : null, shard)));
      })();
      uploading.catch(() => undefined); // awaited below; this only marks the rejection handled
    }
    await uploading;
    return { files: files.sort(), loads };
  } finally {
    await uploading.catch(() => undefined);
    await restore();
    for (const put of restorePerWorker) await put();
    for (const extra of workers.slice(1)) extra.closeSync();
    await rm(staging, { recursive: true, force: true });
  }
}

/** Lake-side view of a partitioned table after a write: the files each owned day now consists of. */
async function partitionLoads(
  lake: Lake,
  def: TableDef,
  days: readonly string[] | null,
  shard: Shard,
): Promise<PartitionLoad[]> {
  const current = await currentFiles(lake, def.name, new Set(days ?? [null]), shard);
  if (days === null) {
    return [
      {
        table: def.name,
        partition: null,
        uris: (current.get(null) ?? []).map((o) => lake.uri(o.path)),
      },
    ];
  }
  return days.map((day) => ({
    table: def.name,
    partition: day,
    uris: (current.get(day) ?? []).map((o) => lake.uri(o.path)),
  }));
}

/**
 * The table's files in the days this run owns (`null`: the table's root, for a table replaced
 * whole), after deleting there files left by a run with a different shard count: they would
 * double-count rows the new layout holds. Files this layout did not name are neither loaded nor
 * deleted; days the run does not own are not touched.
 */
async function currentFiles(
  lake: Lake,
  table: RawTableName,
  owned: ReadonlySet<string | null>,
  shard: Shard,
): Promise<Map<string | null, LakeObject[]>> {
  const byDay = new Map<string | null, LakeObject[]>();
  for (const object of await listOwned(lake, table, owned)) {
    const parsed = parseLakePath(object.path);
    const part = parsed && parsed.table === table ? parsePartFileName(parsed.name) : null;
    if (!parsed || !part || !owned.has(parsed.day)) continue;
    if (part.count !== shard.count) {
      await lake.deletePrefix(object.path);
      continue;
    }
    byDay.set(parsed.day, [...(byDay.get(parsed.day) ?? []), object]);
  }
  return byDay;
}

/** Days listed one folder at a time up to this many; beyond, one listing of the whole table. */
const MAX_DAY_LISTINGS = 31;

/**
 * The objects that may belong to the owned days: a daily run lists its day's folder only, not
 * years of history; a long backfill lists the table once.
 */
async function listOwned(
  lake: Lake,
  table: RawTableName,
  owned: ReadonlySet<string | null>,
): Promise<LakeObject[]> {
  if (owned.has(null) || owned.size > MAX_DAY_LISTINGS) return lake.list(tableFolder(table, null));
  const lists = await Promise.all([...owned].map((day) => lake.list(tableFolder(table, day))));
  return lists.flat();
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
  shard: Shard,
  rowsPerCopy: number,
): Promise<StagedFile[]> {
  const connection = workers[0]!;
  const columns = def.columns.map((c) => `cast(${c.name} as ${DUCKDB_TYPES[c.type]}) as ${c.name}`);
  const select = `select ${columns.join(", ")} from ${source}`;
  // Snappy, not zstd: a two-year run writes thousands of small day files, and zstd's per-file
  // setup and slower decoding cost about 1 s of CPU in the write and 1 s in the load at
  // reference scale, for files about 1.5 times smaller. BigQuery loads either.
  const parquet = "format parquet, compression snappy";
  if (!def.partitionColumn) {
    const file = `${folder}.parquet`;
    await connection.run(`copy (${select} order by ${def.primaryKey}) to '${file}' (${parquet})`);
    return [{ path: partFilePath(def.name, null, shard), localFile: file }];
  }

  const day = utcDaySql(def);
  const stray = await connection.runAndReadAll(
    `select cast(${day} as varchar) as d, count(*) as n from ${source} ` +
      `where ${outsideDays(day, days)} group by 1 order by 1 limit 3`,
  );
  const strayRows = stray.getRowObjectsJson();
  if (strayRows.length > 0) {
    throw new Error(
      `${source} has rows on days outside the run's date range (${strayRows.map((r) => `${r.d}: ${r.n}`).join(", ")}); ` +
        `writing them would replace partitions this run does not own`,
    );
  }
  // Shares of at most ~rowsPerCopy rows (at least one per connection), taken from one queue.
  const rows = Number(
    (await connection.runAndReadAll(`select count(*) from ${source}`)).getRows()[0]![0],
  );
  const shares = splitEvenly(days, Math.max(workers.length, Math.ceil(rows / rowsPerCopy)));
  await mkdir(folder, { recursive: true });
  let next = 0;
  let failed = false;
  await allSettled(
    workers.map(async (worker) => {
      while (next < shares.length && !failed) {
        const i = next++;
        const share = shares[i]!;
        try {
          await worker.run(
            `copy (select *, ${day} as dt from (${select}) ` +
              `where ${day} between date '${share[0]}' and date '${share[share.length - 1]}' ` +
              // Day first: each chunk of rows then feeds one or two open files, not hundreds
              // (about 20% faster), and inside a day's file rows are still in primary-key order.
              `order by dt, ${def.primaryKey}) to '${join(folder, String(i))}' (${parquet}, partition_by (dt))`,
          );
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  const empty = `${folder}-empty.parquet`;
  await connection.run(`copy (${select} limit 0) to '${empty}' (${parquet})`);

  const staged: StagedFile[] = [];
  for (const [i, share] of shares.entries()) {
    for (const d of share) {
      const dayFolder = join(folder, String(i), `dt=${d}`);
      const names = existsSync(dayFolder) ? await readdir(dayFolder) : [];
      if (names.length > 1)
        throw new Error(`DuckDB split ${def.name} day ${d} into ${names.length} files`);
      staged.push({
        path: partFilePath(def.name, d, shard),
        localFile: names[0] ? join(dayFolder, names[0]) : empty,
      });
    }
  }
  return staged;
}

/**
 * DuckDB SQL that is true for a day outside `days` (sorted, distinct). A run's days are almost
 * always one contiguous range, tested with two comparisons: a `not in` list of two years of days
 * is evaluated per row and cost most of a second on the events table. Other lists are joined.
 */
export function outsideDays(day: string, days: readonly string[]): string {
  if (days.length === 0) return "true";
  const first = days[0]!;
  const last = days[days.length - 1]!;
  if (daysBetween(first, last).length === days.length) {
    return `(${day} < date '${first}' or ${day} > date '${last}')`;
  }
  return `${day} not in (select unnest([${days.map((d) => `date '${d}'`).join(", ")}]))`;
}

/** Waits for every promise, then rethrows the first failure: no statement is left running. */
async function allSettled(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** Splits a sorted list into at most `parts` contiguous, non-empty, nearly equal shares. */
export function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const count = Math.max(1, Math.min(parts, items.length));
  return Array.from({ length: items.length === 0 ? 0 : count }, (_, i) =>
    items.slice(
      Math.floor((items.length * i) / count),
      Math.floor((items.length * (i + 1)) / count),
    ),
  );
}

async function putAll(
  lake: Lake,
  files: readonly StagedFile[],
  report: (done: number, total: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      await lake.putFile(file.path, file.localFile);
      done += 1;
      if (done % 64 === 0 || done === files.length) report(done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUT_CONCURRENCY, files.length) }, worker));
}

function ownsTable(def: TableDef, shard: Shard): boolean {
  return shard.index === 0 || def.columns.some((c) => c.name === "user_id");
}

/** Free space a RAM-backed staging folder must have; container defaults (64 MB) fall back. */
const MIN_RAM_STAGING_BYTES = 2 * 1024 ** 3;

/**
 * A RAM-backed folder when there is a roomy one: DuckDB syncs every file it writes, which on a
 * disk costs about a millisecond per file, and a two-year run writes thousands of day files.
 * Otherwise the system temp folder.
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
