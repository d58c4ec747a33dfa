import type { ColumnDef, RawTableName } from "../contract";
import type { DatasetName, SqlParam } from "../sql/render";
import type { WorldManifest } from "../world/manifest";
import type { RunRecord } from "../world/runRecord";

/**
 * The two backends every job takes as arguments, so one code path runs on GCS + BigQuery and on
 * a folder + DuckDB. Implementations: `localLake.ts` / `gcsLake.ts`, `duckdbWarehouse.ts` /
 * `bigqueryWarehouse.ts`; `fromEnv.ts` chooses them from environment variables.
 *
 * Lake layout (the same in a folder and in a bucket; `pipeline/lakePaths.ts`):
 *   manifest.json                                                     the world the lake holds
 *   raw/<table>/dt=YYYY-MM-DD/part-<shard>-of-<count>-b<batch>.parquet   a day of a partitioned table
 *   raw/<table>/asof=YYYY-MM-DD/part-<shard>-of-<count>-b<batch>.parquet a state table as of a day
 */
export interface LakeObject {
  /** Path inside the lake, `/`-separated, no leading slash. */
  readonly path: string;
  readonly bytes: number;
}

export interface Lake {
  readonly kind: "local" | "gcs";
  /** The URI a warehouse load reads for a lake path: an absolute file path, or `gs://bucket/path`. */
  uri(path: string): string;
  /** Stores a finished local file at `path`, replacing any object there. Never leaves a partial object. */
  putFile(path: string, localFile: string): Promise<LakeObject>;
  /** Objects under a prefix, sorted by path. */
  list(prefix: string): Promise<LakeObject[]>;
  /** Removes every object under a prefix (used to replace a partition's files). */
  deletePrefix(prefix: string): Promise<number>;
  /** A small text object (the manifest), or null when there is none. */
  readText(path: string): Promise<string | null>;
  /**
   * Copies an object to a local file (an orders file under `incoming/`, for a reader that needs
   * a path); false when there is no such object.
   */
  getFile(path: string, localFile: string): Promise<boolean>;
  /** Writes a small text object whole, replacing any object there. */
  putText(path: string, text: string): Promise<void>;
}

/** One unit of replacement: a table's day partition, or (partition null) the whole table. */
export interface PartitionLoad {
  readonly table: RawTableName;
  /** `YYYY-MM-DD`, or null for a table replaced whole. */
  readonly partition: string | null;
  /** Lake URIs of every file that together make the new content. */
  readonly uris: readonly string[];
}

export interface LoadReport {
  /** One entry per load executed (a BigQuery load job id, or a DuckDB statement label). */
  readonly jobs: readonly string[];
  readonly rows: Partial<Record<RawTableName, number>>;
}

/** Where a query's result goes: a whole table, or a run of date partitions of it. */
export interface MaterializeTarget {
  readonly dataset: DatasetName;
  readonly table: string;
  /**
   * Replace only rows whose `column` lies in `from`..`date` (default `from` = `date`: one day,
   * BigQuery `table$YYYYMMDD`). The query's rows must all lie in that range.
   */
  readonly partition?: { readonly column: string; readonly date: string; readonly from?: string };
}

/** A value of a row written from code: dates and timestamps as ISO strings, null when absent. */
export type RowValue = string | number | boolean | null;

/**
 * A table whose rows are computed in code rather than by a query (the CLV step's predictions),
 * declared once: its columns give the DuckDB DDL and the BigQuery schema alike.
 */
export interface RowsTableDef {
  readonly dataset: DatasetName;
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnDef[];
  /** The DATE column a write may replace one day of (BigQuery: DAY partitioning on it). */
  readonly partitionColumn?: string;
  /** BigQuery clustering columns, at most four. */
  readonly clustering: readonly string[];
}

export interface Warehouse {
  readonly kind: "duckdb" | "bigquery";
  /** Creates the datasets/schemas and raw tables from the contract if missing. Idempotent. */
  ensureRawTables(): Promise<void>;
  /**
   * Replaces each listed partition (or whole table) with the rows of its files. Every partition
   * ends fully old or fully new; DuckDB does all of them in one transaction, with `manifest`
   * written in the same transaction when given (BigQuery: right after the loads). Re-running the
   * same loads changes nothing.
   */
  replacePartitions(
    loads: readonly PartitionLoad[],
    options?: { readonly manifest?: WorldManifest },
  ): Promise<LoadReport>;
  /** The world manifest (`raw.world_manifest`), or null when none has been written. */
  readManifest(): Promise<WorldManifest | null>;
  /** Replaces the world manifest's one row. */
  writeManifest(manifest: WorldManifest): Promise<void>;
  /** Appends one row to the run record, `snapshots.pipeline_runs` (created if missing). */
  recordRun(record: RunRecord): Promise<void>;
  /**
   * Runs `work` so that a reader sees all of its writes or none: DuckDB runs it in one
   * transaction (a failure rolls every statement back); BigQuery cannot span jobs, so each
   * statement stays atomic on its own and the run record marks the run.
   */
  atomically<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T>;
  /** Runs a BigQuery-dialect `select` and returns its rows as JSON-safe objects. */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, SqlParam>): Promise<T[]>;
  /** Writes a BigQuery-dialect `select` into a table or one of its date partitions, replacing it. */
  materialize(
    target: MaterializeTarget,
    sql: string,
    params?: Record<string, SqlParam>,
  ): Promise<{ rows: number }>;
  /**
   * Writes a table's description and its columns' descriptions into the warehouse's catalog
   * (DuckDB `COMMENT ON`), after a refresh replaced the table. Optional: in BigQuery the Pulumi
   * program creates the mart tables with their descriptions. Columns the table lacks are skipped.
   */
  describeTable?(
    target: Pick<MaterializeTarget, "dataset" | "table">,
    description: string,
    columns: Readonly<Record<string, string>>,
  ): Promise<void>;
  /**
   * Replaces a table computed in code, or (with `partition`, `YYYY-MM-DD`) the rows of that day
   * in its partition column, with `rows`, creating the table from its declaration if missing.
   * Atomic like `materialize`: the day ends fully old or fully new. A row outside the day, a
   * missing required value or a value of the wrong type is refused before anything is written.
   */
  writeRows(
    table: RowsTableDef,
    rows: readonly Record<string, RowValue>[],
    partition?: string,
  ): Promise<{ rows: number }>;
  /** Runs BigQuery-dialect DML/DDL (for example the RFM history `merge`). */
  execute(sql: string, params?: Record<string, SqlParam>): Promise<void>;
  close(): Promise<void>;
}
