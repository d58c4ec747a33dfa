import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  DUCKDB_TYPES,
  duckdbColumns,
  META_TABLES,
  PIPELINE_RUNS,
  RAW_TABLE_LIST,
  RAW_TABLES,
  WORLD_MANIFEST,
  type RawTableName,
  type TableDef,
} from "../contract";
import type { WorldManifest } from "../world/manifest";
import type { RunRecord } from "../world/runRecord";
import { manifestFromRow, manifestRowSql, runRecordRowSql } from "./metaRows";
import type { DatasetName, SqlParam } from "../sql/render";
import { DUCKDB_TEMPLATES } from "../sql/duckdbTemplates";
import { dayBoundsSql, dayRangeSql, utcDaySql } from "../warehouse/daySql";
import { closeDuckDb, openDuckDb, type DuckDbOptions } from "../warehouse/duckdb";
import { checkRows, writeNdjson } from "./rowsFile";
import type {
  LoadReport,
  MaterializeTarget,
  PartitionLoad,
  RowsTableDef,
  RowValue,
  Warehouse,
} from "./types";

export interface DuckDbWarehouseOptions extends DuckDbOptions {
  /** The database file; `:memory:` for a throwaway warehouse. Default `.data/warehouse.duckdb`. */
  path?: string;
  /**
   * `false` for a warehouse built from empty, from which nothing deletes data rows: its
   * checkpoints then leave row groups as they were written (`FRESH_BUILD_VACUUM`). Default
   * `true`: a warehouse that replaces partitions day after day reclaims the rows it deleted.
   */
  vacuum?: boolean;
  /**
   * `true` for a warehouse that its writer checkpoints itself, when the machine has a core to
   * spare (`checkpoint`): a commit then never checkpoints on its own
   * (`DEFERRED_CHECKPOINT_THRESHOLD`), and `close` checkpoints whatever is left. Committed writes
   * stay safe in the write-ahead log until then. Default `false`: DuckDB checkpoints once the log
   * passes its threshold.
   */
  deferCheckpoints?: boolean;
}

const DATASETS: readonly DatasetName[] = ["raw", "marts", "snapshots"];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const IDENTIFIER_RE = /^[A-Za-z_]\w*$/;

/**
 * DuckDB's memory limit for the warehouse of a local run (`npm start`; `--memory-limit` sets
 * another). The whole run must stay under 1 GiB of process memory at ten times the reference
 * users (19M events), and DuckDB's process grows past its limit (buffers it does not count, the
 * allocator's spare pages): a check over the events alone peaked at 527-547 MiB with 256MB, 649
 * MiB with 384MB and 911 MiB with 512MB. The whole run at 10x peaked at 1.51 GiB with 1GB, 964
 * MiB with 512MB (checks one at a time), 836-979 MiB with 384MB (five runs) and 760-788 MiB with
 * 256MB (four runs; its peak is then the generation's, whose DuckDB is another, and with the
 * report's two renderer processes the sum stayed below it, 754 MiB). Since the CLV fit and the
 * significance tests run in a worker thread (`marts/offThread.ts`) the peak is in the marts: 787
 * MiB, the process tree sampled every 0.2 s; 863-879 MiB since DuckDB's allocator keeps freed
 * memory for 3 s instead of 1 s (`scripts/cli/duckdbAllocator.ts`). At the reference scale 256MB
 * cost no time against 384MB (three alternating runs: load 3.06-3.31 s against 3.46-3.83 s,
 * checks and marts within noise): beyond the limit DuckDB spills to disk.
 */
export const DEFAULT_WAREHOUSE_MEMORY_LIMIT = "256MB";

/**
 * Compression DuckDB may not choose when it writes the warehouse. FSST suits strings that are
 * nearly unique (session and user ids), which is what a mart at session or user grain holds; but
 * DuckDB tries it on every segment of every string column it writes, and the tries cost more than
 * they save here. The marts stage of a two-year run took 0.36 s less on average without it (12
 * pairs of alternating runs on one loaded warehouse, 11 faster; the last five 5.20-5.88 s against
 * 5.53-6.43 s), for a file of 157 MB instead of 140 MB. The raw facts name their compression per
 * column (`factStringCompression`).
 */
const DISABLED_COMPRESSION = "fsst";

/**
 * DuckDB's `max_vacuum_tasks` for a warehouse opened with `vacuum: false`. A checkpoint's vacuum
 * reclaims deleted rows and merges row groups that are not full into fewer, and a parallel insert
 * leaves some that are not full. The bulk run's marts commit with a checkpoint, which merged
 * `dm_funnel_sessions`' 8 row groups (722,393 rows) into 6, reading, compressing and writing
 * them again on one core: checkpointing that table alone took 0.29 s, and 0.01 s without the
 * vacuum; the marts' commit took 0.40 s instead of 0.68-0.81 s (two runs each). The table keeps
 * two more row groups than it needs, and the file was 156 MB instead of 159 MB (three runs each).
 * A warehouse built from empty has no deleted rows to reclaim beyond a bookkeeping table's row.
 */
const FRESH_BUILD_VACUUM = 0;

/**
 * DuckDB's `checkpoint_threshold` for a warehouse opened with `deferCheckpoints`: a size no
 * write-ahead log of a local run reaches, so only `checkpoint` and `close` checkpoint. The bulk
 * run's marts commit held the run for 0.28-0.29 s while it checkpointed on one core, and for
 * 0.09-0.11 s without it (two runs each); the checkpoint (0.45 s) then runs while the report's
 * charts are drawn, when DuckDB has nothing else to do, and slows them a little. In ten
 * alternating pairs of `npm start` the marts took 0.11 s less in the median (3.42 s against
 * 3.53 s) and the report 0.03 s more (1.18 s against 1.14 s): 0.11 s less for both together,
 * six pairs of ten faster.
 */
const DEFERRED_CHECKPOINT_THRESHOLD = "1TB";

/**
 * The warehouse as one DuckDB file with schemas `raw`, `marts` and `snapshots`: the local twin of
 * the BigQuery datasets. It takes the same BigQuery-dialect SQL as BigQuery (parameters rendered,
 * then translated) and the same lake files, so a pipeline that passes here runs unchanged in the
 * cloud. Calls are serialised: one connection, one transaction at a time.
 */
export class DuckDbWarehouse implements Warehouse {
  readonly kind = "duckdb" as const;
  private queue: Promise<unknown> = Promise.resolve();
  /** Queries running now; a write waits for them. */
  private readonly reading = new Set<Promise<void>>();
  private readonly readers: DuckDBConnection[] = [];
  /** Reader connections being opened; shared by reference with the views `atomically` makes. */
  private readonly opening = { count: 0 };
  private readonly idleReaders: DuckDBConnection[] = [];
  private readonly waitingForReader: (() => void)[] = [];
  /** True on the view `atomically` hands its work: statements run at once, inside its transaction. */
  private readonly inAtomic: boolean = false;

  private constructor(
    private readonly db: { instance: DuckDBInstance; connection: DuckDBConnection },
    /** Absolute path of the database file, or `:memory:`. */
    readonly path: string,
  ) {}

  static async open(options: DuckDbWarehouseOptions = {}): Promise<DuckDbWarehouse> {
    const path =
      options.path === ":memory:" ? ":memory:" : resolve(options.path ?? ".data/warehouse.duckdb");
    if (path !== ":memory:" && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
    const db = await openDuckDb(path, {
      memoryLimit: options.memoryLimit,
      threads: options.threads,
      readOnly: options.readOnly,
    });
    // The lake files are local, and the operating system already caches what was just written.
    // DuckDB's own cache of external files copied every byte of them on a load's first read:
    // reading two years of day files took 0.5-1 s longer with it. A day file is small (a few KB
    // to 100 KB), and DuckDB reads a local file's column chunks one read at a time unless told to
    // prefetch: fetching each file's row group in one read loaded two years of day files (4,386)
    // in 3.08-3.23 s instead of 3.43-3.59 s, 5.2-5.6 CPU-seconds instead of 5.7-6.2 (five
    // alternating pairs into a new warehouse).
    if (!options.readOnly) {
      await db.connection.run("set enable_external_file_cache = false");
      await db.connection.run("set prefetch_all_parquet_files = true");
      await db.connection.run(`set disabled_compression_methods = '${DISABLED_COMPRESSION}'`);
      if (options.vacuum === false)
        await db.connection.run(`set max_vacuum_tasks = ${FRESH_BUILD_VACUUM}`);
      if (options.deferCheckpoints)
        await db.connection.run(`set checkpoint_threshold = '${DEFERRED_CHECKPOINT_THRESHOLD}'`);
    }
    return new DuckDbWarehouse(db, path);
  }

  /** The underlying connection, for tests and local tools that need DuckDB itself. */
  get connection(): DuckDBConnection {
    return this.db.connection;
  }

  ensureRawTables(): Promise<void> {
    return this.serial(async () => {
      for (const dataset of DATASETS)
        await this.db.connection.run(`create schema if not exists ${dataset}`);
      // The contract's columns, without its `primary key` clause: DuckDB keeps a primary key in
      // an ART index, and replacing two years of partitions (delete and re-insert 1.8M keys in one
      // transaction) then took over a minute instead of seconds. Uniqueness is still enforced on
      // every load, by the primary-key data-quality check, as in BigQuery, which has no keys.
      for (const table of RAW_TABLE_LIST) {
        await this.db.connection.run(
          `create table if not exists raw.${table.name} (\n    ${duckdbColumns(table, { chosenCompression: true })}\n)`,
        );
      }
      for (const table of META_TABLES) await this.createMetaTable(table);
    });
  }

  replacePartitions(
    loads: readonly PartitionLoad[],
    options: { readonly manifest?: WorldManifest } = {},
  ): Promise<LoadReport> {
    return this.serial(async () => {
      const plan = planReplacement(loads);
      // A table has no row order; letting DuckDB insert out of order reads the files on every
      // thread (about twice as fast for two years of day files).
      await this.db.connection.run("set preserve_insertion_order = false");
      try {
        return await this.load(plan, options.manifest);
      } finally {
        await this.db.connection.run("set preserve_insertion_order = true");
      }
    });
  }

  readManifest(): Promise<WorldManifest | null> {
    return this.serial(async () => {
      if (!(await this.tableExists(WORLD_MANIFEST.dataset, WORLD_MANIFEST.name))) return null;
      const [row] = await this.rows<Record<string, unknown>>(
        `select * from ${WORLD_MANIFEST.dataset}.${WORLD_MANIFEST.name}`,
      );
      return row ? manifestFromRow(row) : null;
    });
  }

  writeManifest(manifest: WorldManifest): Promise<void> {
    return this.serial(() => this.transaction(() => this.putManifest(manifest)));
  }

  recordRun(record: RunRecord): Promise<void> {
    return this.serial(async () => {
      await this.createMetaTable(PIPELINE_RUNS);
      await this.db.connection.run(
        `insert into ${PIPELINE_RUNS.dataset}.${PIPELINE_RUNS.name} ${runRecordRowSql(record)}`,
      );
    });
  }

  atomically<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
    if (this.inAtomic) return work(this);
    return this.serial(() =>
      this.transaction(() => {
        // The same warehouse, but every call runs at once on the writing connection, inside this
        // transaction: queued, it would wait for this very call; on a reader connection it would
        // not see the transaction's own writes.
        const view = Object.create(this, { inAtomic: { value: true } }) as DuckDbWarehouse;
        return work(view);
      }),
    );
  }

  /** Creates a bookkeeping table from its contract definition if missing. */
  private async createMetaTable(def: (typeof META_TABLES)[number]): Promise<void> {
    await this.db.connection.run(`create schema if not exists ${def.dataset}`);
    await this.db.connection.run(
      `create table if not exists ${def.dataset}.${def.name} (\n    ${duckdbColumns(def)}\n)`,
    );
  }

  /** Replaces the manifest's one row; the caller holds the transaction. */
  private async putManifest(manifest: WorldManifest): Promise<void> {
    await this.createMetaTable(WORLD_MANIFEST);
    const table = `${WORLD_MANIFEST.dataset}.${WORLD_MANIFEST.name}`;
    await this.db.connection.run(`delete from ${table}`);
    await this.db.connection.run(`insert into ${table} ${manifestRowSql(manifest)}`);
  }

  private async tableExists(schema: string, table: string): Promise<boolean> {
    return (
      (await this.count(
        `select count(*) as n from information_schema.tables where table_schema = '${schema}' and table_name = '${table}'`,
      )) > 0
    );
  }

  /** Replaces every planned table's partitions (and the manifest) in one transaction. */
  private load(
    plan: Map<RawTableName, PartitionLoad[]>,
    manifest: WorldManifest | undefined,
  ): Promise<LoadReport> {
    return this.transaction(async () => {
      if (manifest) await this.putManifest(manifest);
      const jobs: string[] = [];
      const rows: Partial<Record<RawTableName, number>> = {};
      for (const [table, tableLoads] of plan) {
        rows[table] = await this.replaceTable(table, tableLoads);
        const files = tableLoads.reduce((n, l) => n + l.uris.length, 0);
        const what =
          tableLoads[0]!.partition === null ? "whole table" : `${tableLoads.length} partition(s)`;
        jobs.push(`duckdb: replace raw.${table}, ${what}, ${files} file(s), ${rows[table]} row(s)`);
      }
      return { jobs, rows };
    });
  }

  /**
   * Queries run concurrently with each other, on up to `READERS` connections of their own, but
   * never beside a write: each waits for the writes queued before it, and a write waits for the
   * queries already running. The data-quality checks are 38 independent queries, many of them
   * too small to keep both cores busy; two at a time took 1.55 s instead of 2.0 s.
   */
  query<T = Record<string, unknown>>(
    sql: string,
    params: Record<string, SqlParam> = {},
  ): Promise<T[]> {
    if (this.inAtomic) return DUCKDB_TEMPLATES.render(sql, params).then((s) => this.rows<T>(s));
    const result = this.queue.then(async () => {
      const connection = await this.reader();
      try {
        return await this.rows<T>(await DUCKDB_TEMPLATES.render(sql, params), connection);
      } finally {
        this.idleReaders.push(connection);
        this.waitingForReader.shift()?.();
      }
    });
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.reading.add(settled);
    void settled.then(() => this.reading.delete(settled));
    return result;
  }

  materialize(
    target: MaterializeTarget,
    sql: string,
    params: Record<string, SqlParam> = {},
  ): Promise<{ rows: number }> {
    return this.serial(async () => {
      const table = `${checkedIdentifier(target.dataset)}.${checkedIdentifier(target.table)}`;
      const select = await DUCKDB_TEMPLATES.render(sql, params);
      await this.db.connection.run(`create schema if not exists ${target.dataset}`);
      const partition = target.partition;
      if (!partition) {
        await this.db.connection.run(`create or replace table ${table} as\n${select}`);
        return { rows: await this.count(`select count(*) as n from ${table}`) };
      }
      const from = partition.from ?? partition.date;
      if (!DATE_RE.test(partition.date) || !DATE_RE.test(from) || from > partition.date)
        throw new Error(
          `Partition range "${from}".."${partition.date}" is not YYYY-MM-DD, in order`,
        );
      const column = checkedIdentifier(partition.column);
      const range = `cast(${column} as date) between date '${from}' and date '${partition.date}'`;
      return this.transaction(async () => {
        const run = (s: string) => this.db.connection.run(s);
        await run(`create or replace temp table materialize_rows as\n${select}`);
        // The rows and those outside the partition, in one scan.
        const [counted] = await this.rows<{ n: number; stray: number }>(
          `select count(*) as n, count(*) filter (where not coalesce(${range}, false)) as stray from materialize_rows`,
        );
        const stray = Number(counted?.stray ?? 0);
        if (stray > 0) {
          // BigQuery refuses rows outside the partition a `table$YYYYMMDD` write targets.
          const where = from === partition.date ? `= ${from}` : `in ${from}..${partition.date}`;
          throw new Error(
            `${stray} row(s) of the query for ${table} fall outside partition ${column} ${where}`,
          );
        }
        await run(`create table if not exists ${table} as select * from materialize_rows limit 0`);
        await run(`delete from ${table} where ${range}`);
        await run(`insert into ${table} by name select * from materialize_rows`);
        await run("drop table materialize_rows");
        return { rows: Number(counted?.n ?? 0) };
      });
    });
  }

  describeTable(
    target: Pick<MaterializeTarget, "dataset" | "table">,
    description: string,
    columns: Readonly<Record<string, string>>,
  ): Promise<void> {
    return this.serial(async () => {
      const dataset = checkedIdentifier(target.dataset);
      const name = checkedIdentifier(target.table);
      // The table's own columns, from DuckDB's table function: `information_schema.columns`
      // assembles every column of the catalog first (4-5 ms a call against 0.4 ms; 0.2 s over a
      // run's 40 marts and snapshots).
      const present = await this.rows<{ column_name: string }>(
        `select name as column_name from pragma_table_info('${dataset}.${name}')`,
      );
      const text = (value: string) => `'${value.replace(/'/g, "''")}'`;
      const statements = [`comment on table ${dataset}.${name} is ${text(description)}`];
      for (const { column_name: column } of present) {
        const doc = columns[column];
        if (doc) statements.push(`comment on column ${dataset}.${name}.${column} is ${text(doc)}`);
      }
      // One transaction: a comment is a catalog change, and one commit for all is much cheaper;
      // one call for all: the 300 comments of a run took 0.18 s as one call each.
      await this.transaction(() => this.db.connection.run(statements.join(";\n")));
    });
  }

  /**
   * The rows go through a newline-delimited JSON file read with the declared column types, the
   * same file format the BigQuery warehouse loads, inside one transaction with the delete.
   */
  async writeRows(
    table: RowsTableDef,
    rows: readonly Record<string, RowValue>[],
    partition?: string,
  ): Promise<{ rows: number }> {
    checkRows(table, rows, partition);
    return this.serial(async () => {
      const name = `${checkedIdentifier(table.dataset)}.${checkedIdentifier(table.name)}`;
      const columns = table.columns.map(
        (c) =>
          `${checkedIdentifier(c.name)} ${DUCKDB_TYPES[c.type]}${c.nullable ? "" : " not null"}`,
      );
      const scratch = await mkdtemp(join(tmpdir(), "rows-"));
      try {
        const file = join(scratch, "rows.ndjson");
        await writeNdjson(table, rows, file);
        const types = table.columns.map((c) => `${c.name}: '${DUCKDB_TYPES[c.type]}'`).join(", ");
        return await this.transaction(async () => {
          const run = (s: string) => this.db.connection.run(s);
          await run(`create schema if not exists ${table.dataset}`);
          await run(`create table if not exists ${name} (\n    ${columns.join(",\n    ")}\n)`);
          await run(
            partition === undefined
              ? `delete from ${name}`
              : `delete from ${name} where ${checkedIdentifier(table.partitionColumn!)} = date '${partition}'`,
          );
          if (rows.length === 0) return { rows: 0 };
          const names = table.columns.map((c) => c.name).join(", ");
          const inserted = await run(
            `insert into ${name} (${names}) select ${names} from read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = {${types}})`,
          );
          return { rows: inserted.rowsChanged };
        });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
  }

  execute(sql: string, params: Record<string, SqlParam> = {}): Promise<void> {
    return this.serial(async () => {
      await this.db.connection.run(await DUCKDB_TEMPLATES.render(sql, params));
    });
  }

  /**
   * Writes everything committed from the write-ahead log into the database file, after the
   * queries and writes issued before it.
   */
  checkpoint(): Promise<void> {
    return this.serial(async () => {
      await this.db.connection.run("checkpoint");
    });
  }

  close(): Promise<void> {
    return this.serial(async () => {
      for (const reader of this.readers) reader.closeSync();
      closeDuckDb(this.db);
    });
  }

  /** A free reader connection, opened on first need (up to `READERS`), else the next one freed. */
  private async reader(): Promise<DuckDBConnection> {
    for (;;) {
      const idle = this.idleReaders.pop();
      if (idle) return idle;
      // Counted before the first await: queries asked for together would each see no reader yet
      // and open one of their own (six at once opened six), past the limit.
      if (this.readers.length + this.opening.count < READERS) {
        this.opening.count += 1;
        try {
          const connection = await this.db.instance.connect();
          await connection.run("set TimeZone = 'UTC'");
          this.readers.push(connection);
          return connection;
        } catch (error) {
          this.waitingForReader.shift()?.(); // a query waiting for this slot tries it itself
          throw error;
        } finally {
          this.opening.count -= 1;
        }
      }
      await new Promise<void>((resolve) => this.waitingForReader.push(resolve));
    }
  }

  /** Deletes the listed partitions (or all rows) of one table and inserts its files' rows. */
  private async replaceTable(
    table: RawTableName,
    loads: readonly PartitionLoad[],
  ): Promise<number> {
    const def = RAW_TABLES[table];
    const uris = loads.flatMap((l) => l.uris);
    const whole = loads[0]!.partition === null;
    const run = (s: string) => this.db.connection.run(s);

    await run(
      whole
        ? `delete from raw.${table}`
        : `delete from raw.${table} where ${partitionsSql(def, loads)}`,
    );
    if (uris.length === 0) return 0;
    const columns = def.columns.map((c) => c.name).join(", ");
    if (whole) {
      const inserted = await run(
        `insert into raw.${table} by name select ${columns} from read_parquet(${sqlList(uris)})`,
      );
      return Number(inserted.rowsChanged);
    }
    const inserted = await run(
      `insert into raw.${table} by name select ${columns} from ${rowsInTheirDays(def, loads)}`,
    );
    return Number(inserted.rowsChanged);
  }

  /**
   * Runs `work` inside one transaction; any error rolls everything back and is rethrown. Inside
   * `atomically` the enclosing transaction is the one (DuckDB has no nested transactions).
   */
  private async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inAtomic) return work();
    await this.db.connection.run("begin transaction");
    try {
      const result = await work();
      await this.db.connection.run("commit");
      return result;
    } catch (error) {
      await this.db.connection.run("rollback");
      throw error;
    }
  }

  /**
   * Queues `work` behind every earlier call, queries included, so statements of two calls never
   * interleave and no query sees a write half done.
   */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    if (this.inAtomic) return work();
    // The queries issued before this call, not those issued after it: they wait for this one.
    const readsBefore = [...this.reading];
    const run = async () => {
      await Promise.all(readsBefore);
      return work();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async rows<T>(sql: string, connection = this.db.connection): Promise<T[]> {
    const reader = await connection.runAndReadAll(sql);
    const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
    // BigQuery's client returns INT64 as numbers; DuckDB's JSON form gives BIGINT as strings.
    const integers = reader
      .columnNames()
      .filter((_, i) => /^U?(BIG|HUGE)INT$/.test(String(reader.columnTypes()[i])));
    for (const row of rows) {
      for (const name of integers) {
        const value = row[name];
        if (typeof value === "string" && Number.isSafeInteger(Number(value)))
          row[name] = Number(value);
      }
    }
    return rows as T[];
  }

  private async count(sql: string): Promise<number> {
    const [row] = await this.rows<{ n: number }>(sql);
    return Number(row?.n ?? 0);
  }
}

/**
 * DuckDB SQL for the rows of a partitioned table's load files that fails, naming the file, on a
 * row outside its load's day: a partition must hold exactly the rows of its own files, so a file
 * holding another day's rows fails the whole replacement. Each row is matched to its file's day
 * (`filename`), and a row whose file the join cannot match fails too, so none is dropped
 * unnoticed. This replaced a proof from the files' footers (`parquet_metadata`, with a count of
 * the loaded rows per day when a file had no statistics): the insert's own scan checks every
 * row, nulls and files the load does not name included, at the same cost (loading the reference
 * lake into an empty warehouse took 3.30-3.80 s against 3.37-3.84 s, with 0.1-0.4 s less CPU,
 * four alternating runs). The bounds compare the bare column, so no row's day is computed unless
 * it fails; a row without a day fails as well. A file listed twice is refused: its rows would
 * load twice.
 */
function rowsInTheirDays(def: TableDef, loads: readonly PartitionLoad[]): string {
  const column = def.partitionColumn;
  if (!column) throw new Error(`raw.${def.name} has no partition column`);
  const seen = new Set<string>();
  const days: string[] = [];
  for (const load of loads) {
    const [lo, hi] = dayBoundsSql(def, load.partition!, load.partition!);
    for (const uri of load.uris) {
      if (seen.has(uri)) throw new Error(`raw.${def.name}: file ${uri} is listed twice`);
      seen.add(uri);
      days.push(`(${sqlString(uri)}, '${load.partition}', ${lo}, ${hi})`);
    }
  }
  const day = `cast(${utcDaySql(def)} as varchar)`;
  return `read_parquet(${sqlList([...seen])}, filename = true) as load_file
    left join (values ${days.join(", ")}) as load_day(file, day, lo, hi)
      on load_file.filename = load_day.file
    where case
      when load_day.file is null then error('raw.${def.name}: read a row of ' || load_file.filename || ', a file the load does not list')
      when not coalesce(${column} >= load_day.lo and ${column} < load_day.hi, false) then error('raw.${def.name} partition ' || load_day.day || ': file ' || load_file.filename || ' holds rows of ' || coalesce(${day}, 'no day') || ', another day')
      else true
    end`;
}

/**
 * DuckDB SQL true for the rows of the loads' partitions: one range on the bare column when the
 * days are consecutive, else each row's day in the list.
 */
function partitionsSql(def: TableDef, loads: readonly PartitionLoad[]): string {
  if (consecutive(loads))
    return dayRangeSql(def, loads[0]!.partition!, loads[loads.length - 1]!.partition!);
  return `${utcDaySql(def)} in (${loads.map((l) => `date '${l.partition}'`).join(", ")})`;
}

/** Whether sorted partition loads name consecutive days, one each. */
function consecutive(loads: readonly PartitionLoad[]): boolean {
  return loads.every(
    (l, i) =>
      i === 0 ||
      Date.parse(`${l.partition}T00:00:00Z`) -
        Date.parse(`${loads[i - 1]!.partition}T00:00:00Z`) ===
        86_400_000,
  );
}

/** Connections answering queries at once, besides the one that writes. */
const READERS = 2;

/**
 * Groups loads by table and rejects a plan that could not be applied unambiguously: an unknown
 * table, a malformed day, a table listed both whole and by partition, or a partition listed twice.
 */
function planReplacement(loads: readonly PartitionLoad[]): Map<RawTableName, PartitionLoad[]> {
  const plan = new Map<RawTableName, PartitionLoad[]>();
  for (const load of loads) {
    const def = RAW_TABLES[load.table];
    if (!def) throw new Error(`Unknown raw table "${load.table}"`);
    if (load.partition !== null && !DATE_RE.test(load.partition)) {
      throw new Error(`raw.${load.table}: partition "${load.partition}" is not YYYY-MM-DD`);
    }
    if (load.partition !== null && !def.partitionColumn) {
      throw new Error(`raw.${load.table} has no partition column; load it whole (partition null)`);
    }
    const same = plan.get(load.table) ?? [];
    if (same.some((l) => l.partition === load.partition)) {
      throw new Error(`raw.${load.table} partition ${load.partition ?? "(whole)"} is listed twice`);
    }
    if (same.length > 0 && (load.partition === null) !== (same[0]!.partition === null)) {
      throw new Error(`raw.${load.table} is listed both whole and by partition`);
    }
    plan.set(load.table, [...same, load]);
  }
  return plan;
}

function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(", ")}]`;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function checkedIdentifier(name: string): string {
  if (!IDENTIFIER_RE.test(name)) throw new Error(`"${name}" is not a plain SQL identifier`);
  return name;
}
