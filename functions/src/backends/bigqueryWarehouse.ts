import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bigQuerySchema, RAW_TABLE_LIST, RAW_TABLES, type TableDef } from "../contract";
import { MARTS } from "../marts/catalog";
import { queryParameters, renderDatasets, type DatasetName, type SqlParam } from "../sql/render";
import { forEachLimited } from "../forEachLimited";
import { checkRows, writeNdjson } from "./rowsFile";
import type {
  LoadReport,
  MaterializeTarget,
  PartitionLoad,
  RowsTableDef,
  RowValue,
  Warehouse,
} from "./types";

/**
 * The slice of `@google-cloud/bigquery` the warehouse uses, in REST shapes (job configurations as
 * the jobs.insert API takes them). The real `BigQuery` satisfies it; tests pass a recorder and
 * assert the exact job requests.
 */
export interface BigQueryJobLike {
  readonly id?: string;
  readonly metadata: unknown;
  /** Resolves when the job is DONE; rejects with the job's error. */
  promise(): Promise<unknown>;
  getQueryResults(options?: {
    autoPaginate?: boolean;
    maxResults?: number;
  }): Promise<[Record<string, unknown>[], ...unknown[]]>;
}

export interface BigQueryTableLike {
  exists(): Promise<[boolean, ...unknown[]]>;
  delete(): Promise<unknown>;
  /**
   * Uploads a local file as a load job (`Table.createLoadJob` of `@google-cloud/bigquery`), for
   * rows computed in code (`writeRows`). Optional so that recorders of jobs that never write rows
   * need not implement it; the real client always has it.
   */
  createLoadJob?(
    source: string,
    metadata: Record<string, unknown>,
  ): Promise<[BigQueryJobLike, ...unknown[]]>;
}

export interface BigQueryDatasetLike {
  exists(): Promise<[boolean, ...unknown[]]>;
  create(options: { location: string }): Promise<unknown>;
  table(id: string): BigQueryTableLike;
  createTable(id: string, options: Record<string, unknown>): Promise<unknown>;
}

export interface BigQueryClientLike {
  createJob(options: {
    configuration: Record<string, unknown>;
    location: string;
    jobPrefix: string;
  }): Promise<[BigQueryJobLike, ...unknown[]]>;
  dataset(id: string): BigQueryDatasetLike;
}

export interface BigQueryWarehouseOptions {
  readonly project: string;
  readonly location: string;
  readonly datasets: Readonly<Record<DatasetName, string>>;
  /** Load jobs in flight at once; each partition is atomic, so order does not matter. */
  readonly loadConcurrency?: number;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** `events$20240601`: the table id that makes a load or query replace exactly one day partition. */
export function partitionDecorator(table: string, date: string): string {
  if (!DATE_RE.test(date)) throw new Error(`Partition date "${date}" is not YYYY-MM-DD`);
  return `${table}$${date.replace(/-/g, "")}`;
}

/** A query parameter in the REST form (`queryParameters[]`), with its type spelled out. */
export function restQueryParameter(name: string, value: SqlParam): Record<string, unknown> {
  const typed = (type: string, v: string) => ({
    name,
    parameterType: { type },
    parameterValue: { value: v },
  });
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Parameter @${name} is not a finite number`);
    return typed(Number.isInteger(value) ? "INT64" : "FLOAT64", String(value));
  }
  if (typeof value === "boolean") return typed("BOOL", String(value));
  if (typeof value === "string") return typed("STRING", value);
  if ("date" in value) {
    if (!DATE_RE.test(value.date)) throw new Error(`Parameter @${name} is not YYYY-MM-DD`);
    return typed("DATE", value.date);
  }
  return typed("TIMESTAMP", value.timestamp);
}

/**
 * The parameters a SQL text uses, typed; a missing one is an error naming it, and extras are
 * dropped (one parameter set serves many files, as with `renderParams` on DuckDB).
 */
export function restQueryParameters(
  sql: string,
  params: Record<string, SqlParam> = {},
): Record<string, unknown>[] {
  const used = queryParameters(sql);
  const missing = used.filter((n) => !(n in params));
  if (missing.length > 0) {
    throw new Error(`Missing SQL parameter(s): ${missing.map((n) => "@" + n).join(", ")}`);
  }
  return used.map((n) => restQueryParameter(n, params[n]!));
}

/** BigQuery's typed values (`BigQueryDate` and kin carry `{ value }`) as plain JSON values. */
export function jsonSafe(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (Buffer.isBuffer(value)) return value.toString("base64");
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  if (name === "Big") return Number(String(value));
  if (name?.startsWith("BigQuery") && "value" in value) return (value as { value: unknown }).value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
}

function partitioningOf(def: TableDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (def.partitionColumn) out.timePartitioning = { type: "DAY", field: def.partitionColumn };
  if (def.clustering.length > 0) out.clustering = { fields: [...def.clustering] };
  return out;
}

/**
 * The partitioning and clustering a query job declares for its destination. A declared mart's are
 * exactly those its pre-created table has (the Pulumi warehouse creates it from the same
 * declaration), since a job whose spec differs from an existing table's is refused; anything else
 * gets day partitioning on the target's column when it writes one partition.
 */
export function destinationLayout(target: MaterializeTarget): Record<string, unknown> {
  const decl = MARTS.find((m) => m.dataset === target.dataset && m.name === target.table);
  const out: Record<string, unknown> = {};
  if (decl?.partitioning) {
    out.timePartitioning = { type: decl.partitioning.granularity, field: decl.partitioning.column };
  } else if (target.partition) {
    out.timePartitioning = { type: "DAY", field: target.partition.column };
  }
  if (decl && decl.clustering.length > 0) out.clustering = { fields: [...decl.clustering] };
  return out;
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 404;
}

/**
 * The warehouse in BigQuery. A day is replaced by a load job into `table$YYYYMMDD` with
 * `WRITE_TRUNCATE`: BigQuery swaps the partition atomically when the job succeeds, so every
 * partition is fully old or fully new after any failure, and re-running a load changes nothing
 * (`WRITE_APPEND` would duplicate on retry). SQL is written with logical dataset names (`raw.`)
 * and rendered to the stack's dataset ids here.
 */
export class BigQueryWarehouse implements Warehouse {
  readonly kind = "bigquery" as const;

  constructor(
    private readonly client: BigQueryClientLike,
    private readonly options: BigQueryWarehouseOptions,
  ) {}

  /**
   * Touches the raw dataset only: in the cloud the datasets belong to the Pulumi stack, and the
   * generate job's account may read and write `raw` and nothing else, so probing `marts` or
   * `snapshots` would fail on permissions rather than help.
   */
  async ensureRawTables(): Promise<void> {
    const raw = this.client.dataset(this.options.datasets.raw);
    const [exists] = await raw.exists();
    if (!exists) await raw.create({ location: this.options.location });
    for (const def of RAW_TABLE_LIST) {
      const [exists] = await raw.table(def.name).exists();
      if (exists) continue;
      await raw.createTable(def.name, {
        schema: { fields: bigQuerySchema(def) },
        description: def.description,
        requirePartitionFilter: def.requirePartitionFilter,
        ...partitioningOf(def),
      });
    }
  }

  /** The load job configuration for one partition (or whole table), as jobs.insert takes it. */
  loadConfiguration(load: PartitionLoad): Record<string, unknown> {
    const def = RAW_TABLES[load.table];
    if (load.partition !== null && !def.partitionColumn) {
      throw new Error(`${load.table} has no partition column; load it whole (partition null)`);
    }
    return {
      load: {
        sourceUris: [...load.uris],
        sourceFormat: "PARQUET",
        destinationTable: this.tableRef(
          "raw",
          load.partition === null ? load.table : partitionDecorator(load.table, load.partition),
        ),
        writeDisposition: "WRITE_TRUNCATE",
        createDisposition: "CREATE_NEVER",
        schema: { fields: bigQuerySchema(def) },
        ...partitioningOf(def),
      },
    };
  }

  async replacePartitions(loads: readonly PartitionLoad[]): Promise<LoadReport> {
    const done = await forEachLimited(loads, this.options.loadConcurrency ?? 8, (load) =>
      this.replaceOne(load),
    );
    const rows: Partial<Record<PartitionLoad["table"], number>> = {};
    for (const [i, d] of done.entries()) {
      const table = loads[i]!.table;
      rows[table] = (rows[table] ?? 0) + d.rows;
    }
    return { jobs: done.map((d) => d.job), rows };
  }

  async query<T = Record<string, unknown>>(
    sql: string,
    params?: Record<string, SqlParam>,
  ): Promise<T[]> {
    const job = await this.runQuery("query", sql, params, {});
    const [rows] = await job.getQueryResults({ autoPaginate: true });
    return rows.map((r) => jsonSafe(r) as T);
  }

  async materialize(
    target: MaterializeTarget,
    sql: string,
    params?: Record<string, SqlParam>,
  ): Promise<{ rows: number }> {
    const tableId = target.partition
      ? partitionDecorator(target.table, target.partition.date)
      : target.table;
    const job = await this.runQuery("materialize", sql, params, {
      destinationTable: this.tableRef(target.dataset, tableId),
      writeDisposition: "WRITE_TRUNCATE",
      createDisposition: "CREATE_IF_NEEDED",
      ...destinationLayout(target),
    });
    const [, , response] = await job.getQueryResults({ maxResults: 0, autoPaginate: false });
    return {
      rows: Number((response as { totalRows?: string | number } | undefined)?.totalRows ?? 0),
    };
  }

  /** The load job configuration `writeRows` sends with its file. */
  rowsLoadConfiguration(table: RowsTableDef): Record<string, unknown> {
    return {
      sourceFormat: "NEWLINE_DELIMITED_JSON",
      writeDisposition: "WRITE_TRUNCATE",
      createDisposition: "CREATE_NEVER",
      schema: { fields: bigQuerySchema(table) },
    };
  }

  /**
   * Creates the table from its declaration if missing, then uploads the rows as newline-delimited
   * JSON in one load job into `table$YYYYMMDD` (or the whole table) with WRITE_TRUNCATE, which
   * swaps the partition atomically when the job succeeds, as the raw loads do. Loading a local
   * file: https://cloud.google.com/bigquery/docs/batch-loading-data#loading_data_from_local_files
   * No rows: the partition is deleted (a load job cannot take an empty upload).
   */
  async writeRows(
    table: RowsTableDef,
    rows: readonly Record<string, RowValue>[],
    partition?: string,
  ): Promise<{ rows: number }> {
    checkRows(table, rows, partition);
    const dataset = this.client.dataset(this.options.datasets[table.dataset]);
    const [exists] = await dataset.table(table.name).exists();
    if (!exists) {
      await dataset.createTable(table.name, {
        schema: { fields: bigQuerySchema(table) },
        description: table.description,
        ...(table.partitionColumn
          ? { timePartitioning: { type: "DAY", field: table.partitionColumn } }
          : {}),
        ...(table.clustering.length > 0 ? { clustering: { fields: [...table.clustering] } } : {}),
      });
    }
    const target = dataset.table(
      partition === undefined ? table.name : partitionDecorator(table.name, partition),
    );
    if (rows.length === 0) {
      if (partition === undefined) throw new Error("writeRows: no rows to replace a whole table");
      try {
        await target.delete();
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return { rows: 0 };
    }
    if (!target.createLoadJob) throw new Error("This BigQuery client cannot upload rows");
    const scratch = await mkdtemp(join(tmpdir(), "rows-"));
    try {
      const file = join(scratch, "rows.ndjson");
      await writeNdjson(table, rows, file);
      const [job] = await target.createLoadJob(file, this.rowsLoadConfiguration(table));
      await job.promise();
      return { rows: rows.length };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async execute(sql: string, params?: Record<string, SqlParam>): Promise<void> {
    await this.runQuery("execute", sql, params, {});
  }

  async close(): Promise<void> {
    // The client holds no connection to release.
  }

  private tableRef(dataset: DatasetName, tableId: string) {
    return { projectId: this.options.project, datasetId: this.options.datasets[dataset], tableId };
  }

  private async replaceOne(load: PartitionLoad): Promise<{ job: string; rows: number }> {
    const label =
      load.partition === null ? load.table : partitionDecorator(load.table, load.partition);
    if (load.uris.length === 0) return this.emptyOut(load, label);
    const [job] = await this.client.createJob({
      configuration: this.loadConfiguration(load),
      location: this.options.location,
      jobPrefix: `load_${label.replace("$", "_")}_`,
    });
    await job.promise();
    const stats = (job.metadata as { statistics?: { load?: { outputRows?: string | number } } })
      ?.statistics?.load;
    return { job: job.id ?? label, rows: Number(stats?.outputRows ?? 0) };
  }

  /**
   * A day with no rows: a load job cannot take zero files, so the partition itself is deleted
   * (tables.delete on `table$YYYYMMDD`), which is just as atomic; a whole table is truncated.
   */
  private async emptyOut(
    load: PartitionLoad,
    label: string,
  ): Promise<{ job: string; rows: number }> {
    if (load.partition !== null) {
      try {
        await this.client.dataset(this.options.datasets.raw).table(label).delete();
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return { job: `delete:${label}`, rows: 0 };
    }
    const job = await this.runQuery(
      "truncate",
      `select * from raw.${load.table} where false`,
      {},
      {
        destinationTable: this.tableRef("raw", load.table),
        writeDisposition: "WRITE_TRUNCATE",
        createDisposition: "CREATE_NEVER",
      },
    );
    return { job: job.id ?? `truncate:${label}`, rows: 0 };
  }

  private async runQuery(
    purpose: string,
    sql: string,
    params: Record<string, SqlParam> | undefined,
    extra: Record<string, unknown>,
  ): Promise<BigQueryJobLike> {
    const queryParameters = restQueryParameters(sql, params);
    const [job] = await this.client.createJob({
      configuration: {
        query: {
          query: renderDatasets(sql, this.options.datasets),
          useLegacySql: false,
          ...(queryParameters.length > 0 ? { parameterMode: "NAMED", queryParameters } : {}),
          ...extra,
        },
      },
      location: this.options.location,
      jobPrefix: `${purpose}_`,
    });
    await job.promise();
    return job;
  }
}
