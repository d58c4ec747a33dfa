import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bigQuerySchema,
  columnDef,
  PIPELINE_RUNS,
  RAW_TABLE_LIST,
  RAW_TABLES,
  WORLD_MANIFEST,
  type MetaTableDef,
  type RawTableName,
  type TableDef,
} from "../contract";
import type { WorldManifest } from "../world/manifest";
import type { RunRecord } from "../world/runRecord";
import { manifestFromRow, manifestRowSql, runRecordRowSql } from "./metaRows";
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
  /** Makes staging table names unique per load (tests pass a fixed one). */
  readonly uniqueSuffix?: () => string;
}

/** Source URIs one load job takes at most (https://cloud.google.com/bigquery/quotas#load_jobs). */
export const MAX_URIS_PER_LOAD_JOB = 10_000;

/**
 * Days of one table from which a staging load and a transaction replace them. The swap costs the
 * table two modifications (DELETE and INSERT) whatever the number of days; loading each day into
 * its partition costs one per day. Up to two days the partition loads cost no more and need no
 * staging table; from three days on, staging saves one modification per further day.
 */
export const STAGED_LOAD_MIN_DAYS = 3;

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
    await this.ensureMetaTable(WORLD_MANIFEST);
  }

  async readManifest(): Promise<WorldManifest | null> {
    try {
      const [row] = await this.query<Record<string, unknown>>(
        `select * from ${WORLD_MANIFEST.dataset}.${WORLD_MANIFEST.name}`,
      );
      return row ? manifestFromRow(row) : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Delete and insert in one multi-statement transaction: readers see the old row or the new. */
  async writeManifest(manifest: WorldManifest): Promise<void> {
    const table = `${WORLD_MANIFEST.dataset}.${WORLD_MANIFEST.name}`;
    await this.ensureMetaTable(WORLD_MANIFEST);
    await this.execute(
      [
        "begin transaction",
        `delete from ${table} where true`,
        `insert into ${table} ${manifestRowSql(manifest)}`,
        "commit transaction",
      ].join(";\n"),
    );
  }

  /**
   * A DML insert, not a streaming insert: rows stream into a buffer that DML and table copies
   * cannot see for a while (https://cloud.google.com/bigquery/docs/streaming-data-into-bigquery),
   * and the report reads the record right after a run.
   */
  async recordRun(record: RunRecord): Promise<void> {
    await this.ensureMetaTable(PIPELINE_RUNS);
    await this.execute(
      `insert into ${PIPELINE_RUNS.dataset}.${PIPELINE_RUNS.name} ${runRecordRowSql(record)}`,
    );
  }

  /** BigQuery cannot span jobs in one transaction: each statement is atomic on its own. */
  atomically<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
    return work(this);
  }

  /** Creates a bookkeeping table from its contract definition when missing. */
  private async ensureMetaTable(def: MetaTableDef): Promise<void> {
    const dataset = this.client.dataset(this.options.datasets[def.dataset]);
    const [exists] = await dataset.table(def.name).exists();
    if (exists) return;
    await dataset.createTable(def.name, {
      schema: { fields: bigQuerySchema(def) },
      description: def.description,
      ...(def.partitionColumn
        ? { timePartitioning: { type: "DAY", field: def.partitionColumn } }
        : {}),
      ...(def.clustering.length > 0 ? { clustering: { fields: [...def.clustering] } } : {}),
    });
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

  /**
   * A day of a table is one load job into its partition (the nightly run). Many days of a
   * partitioned table (`STAGED_LOAD_MIN_DAYS` or more: a backfill chunk) are one load job into a
   * staging table plus one transaction that replaces those days of the target: BigQuery allows
   * 1,500 modifications per table per day, failed jobs included, so a load per day (or per shard
   * and day) would spend a backfill's allowance at once and leave nothing for a retry
   * (https://cloud.google.com/bigquery/docs/optimize-load-jobs). The transaction keeps the same
   * guarantee as a partition load: every day ends fully old or fully new. The manifest is written
   * after every partition has loaded: a failure in between leaves the old manifest, so
   * `data_through` never claims a day whose load failed.
   */
  async replacePartitions(
    loads: readonly PartitionLoad[],
    options: { readonly manifest?: WorldManifest } = {},
  ): Promise<LoadReport> {
    const days = new Map<RawTableName, PartitionLoad[]>();
    for (const load of loads) {
      if (load.partition === null) continue;
      days.set(load.table, [...(days.get(load.table) ?? []), load]);
    }
    const units: (PartitionLoad | PartitionLoad[])[] = [];
    for (const load of loads) {
      const ofTable = days.get(load.table);
      if (load.partition === null || !ofTable || ofTable.length < STAGED_LOAD_MIN_DAYS)
        units.push(load);
      else if (ofTable[0] === load) units.push(ofTable);
    }
    const done = await forEachLimited(units, this.options.loadConcurrency ?? 8, (unit) =>
      Array.isArray(unit) ? this.replaceDays(unit) : this.replaceOne(unit),
    );
    if (options.manifest) await this.writeManifest(options.manifest);
    const rows: Partial<Record<PartitionLoad["table"], number>> = {};
    for (const [i, d] of done.entries()) {
      const unit = units[i]!;
      const table = Array.isArray(unit) ? unit[0]!.table : unit.table;
      rows[table] = (rows[table] ?? 0) + d.rows;
    }
    return { jobs: done.flatMap((d) => d.jobs), rows };
  }

  /**
   * The script that swaps several days of a partitioned table for the staged rows, in one
   * transaction. The filter names the partition column's range (so BigQuery prunes and
   * `requirePartitionFilter` is met) and then the exact days.
   */
  stagedReplaceSql(table: RawTableName, staging: string | null): string {
    const def = RAW_TABLES[table];
    const column = def.partitionColumn!;
    const isDate = columnDef(table, column).type === "DATE";
    const target = `${this.options.datasets.raw}.${table}`;
    const filter = isDate
      ? `${column} between @first_day and @last_day and ${column} in unnest(@days)`
      : `${column} >= timestamp(@first_day) and ${column} < timestamp(date_add(@last_day, interval 1 day)) and date(${column}) in unnest(@days)`;
    const columns = def.columns.map((c) => c.name).join(", ");
    return [
      "begin transaction;",
      `delete from ${target} where ${filter};`,
      ...(staging
        ? [
            `insert into ${target} (${columns}) select ${columns} from ${this.options.datasets.raw}.${staging};`,
          ]
        : []),
      "commit transaction;",
    ].join("\n");
  }

  private async replaceDays(
    loads: readonly PartitionLoad[],
  ): Promise<{ jobs: string[]; rows: number }> {
    const table = loads[0]!.table;
    const sorted = loads.map((l) => l.partition!).sort();
    const uris = loads.flatMap((l) => l.uris);
    const suffix = (this.options.uniqueSuffix ?? (() => randomUUID().slice(0, 8)))();
    const staging = `_staging_${table}_${sorted[0]!.replace(/-/g, "")}_${suffix}`;
    const jobs: string[] = [];
    let rows = 0;
    const raw = this.client.dataset(this.options.datasets.raw);
    try {
      for (let at = 0; at < uris.length; at += MAX_URIS_PER_LOAD_JOB) {
        const [job] = await this.client.createJob({
          configuration: {
            load: {
              sourceUris: uris.slice(at, at + MAX_URIS_PER_LOAD_JOB),
              sourceFormat: "PARQUET",
              destinationTable: this.tableRef("raw", staging),
              writeDisposition: at === 0 ? "WRITE_TRUNCATE" : "WRITE_APPEND",
              createDisposition: "CREATE_IF_NEEDED",
              schema: { fields: bigQuerySchema(RAW_TABLES[table]) },
            },
          },
          location: this.options.location,
          jobPrefix: `stage_${table}_`,
        });
        await job.promise();
        const stats = (job.metadata as { statistics?: { load?: { outputRows?: string | number } } })
          ?.statistics?.load;
        rows += Number(stats?.outputRows ?? 0);
        jobs.push(job.id ?? staging);
      }
      const [swap] = await this.client.createJob({
        configuration: {
          query: {
            query: this.stagedReplaceSql(table, uris.length > 0 ? staging : null),
            useLegacySql: false,
            parameterMode: "NAMED",
            queryParameters: [
              restQueryParameter("first_day", { date: sorted[0]! }),
              restQueryParameter("last_day", { date: sorted[sorted.length - 1]! }),
              {
                name: "days",
                parameterType: { type: "ARRAY", arrayType: { type: "DATE" } },
                parameterValue: { arrayValues: sorted.map((value) => ({ value })) },
              },
            ],
          },
        },
        location: this.options.location,
        jobPrefix: `replace_${table}_`,
      });
      await swap.promise();
      jobs.push(swap.id ?? `replace:${table}`);
    } finally {
      if (uris.length > 0) {
        try {
          await raw.table(staging).delete();
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    return { jobs, rows };
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
    const range = target.partition;
    if (range?.from !== undefined && range.from !== range.date)
      return this.materializeRange(target, { ...range, from: range.from }, sql, params);
    const tableId = range ? partitionDecorator(target.table, range.date) : target.table;
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

  /**
   * A run of days in one multi-statement transaction: the range's rows are deleted and the
   * query's rows inserted, or neither (a `table$YYYYMMDD` destination takes one day per job, and
   * a backfill of two years as 731 query jobs would spend half of the table's daily modification
   * quota: https://cloud.google.com/bigquery/quotas#standard_tables). The destination exists:
   * the Pulumi warehouse pre-creates every mart table from its declared schema, whose column
   * order is the query's.
   */
  private async materializeRange(
    target: MaterializeTarget,
    range: { column: string; date: string; from: string },
    sql: string,
    params?: Record<string, SqlParam>,
  ): Promise<{ rows: number }> {
    if (!DATE_RE.test(range.from) || !DATE_RE.test(range.date) || range.from > range.date)
      throw new Error(
        `Partition range "${range.from}".."${range.date}" is not YYYY-MM-DD, in order`,
      );
    if (!/^[A-Za-z_]\w*$/.test(range.column))
      throw new Error(`"${range.column}" is not a plain column name`);
    const table = `${target.dataset}.${target.table}`;
    const script = [
      "begin transaction",
      `delete from ${table} where ${range.column} between date '${range.from}' and date '${range.date}'`,
      `insert into ${table}\n${sql.trim().replace(/;\s*$/, "")}`,
      "commit transaction",
    ].join(";\n");
    const job = await this.runQuery("materialize_range", script, params, {});
    const stats = (job.metadata as { statistics?: { query?: { numDmlAffectedRows?: string } } })
      ?.statistics?.query;
    return { rows: Number(stats?.numDmlAffectedRows ?? 0) };
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

  private async replaceOne(load: PartitionLoad): Promise<{ jobs: string[]; rows: number }> {
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
    return { jobs: [job.id ?? label], rows: Number(stats?.outputRows ?? 0) };
  }

  /**
   * A day with no rows: a load job cannot take zero files, so the partition itself is deleted
   * (tables.delete on `table$YYYYMMDD`), which is just as atomic; a whole table is truncated.
   */
  private async emptyOut(
    load: PartitionLoad,
    label: string,
  ): Promise<{ jobs: string[]; rows: number }> {
    if (load.partition !== null) {
      try {
        await this.client.dataset(this.options.datasets.raw).table(label).delete();
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return { jobs: [`delete:${label}`], rows: 0 };
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
    return { jobs: [job.id ?? `truncate:${label}`], rows: 0 };
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
