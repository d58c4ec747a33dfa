/**
 * The two bookkeeping tables every part of the stack shares, defined once like the raw tables:
 * the world manifest (which world the data holds, and how far) and the run record (one row per
 * run, for freshness in the report and BI). They are not part of SPEC's raw contract, so they
 * live apart from `RAW_TABLES`; DuckDB DDL and BigQuery schemas derive from these definitions the
 * same way.
 */
import { column as col } from "./column";
import type { ColumnDef } from "./tables";

/**
 * Version of the data contract (raw tables and their columns). Data written under another
 * version is another world to the manifest check: bump it whenever a raw table or column is
 * added, so old data is refused instead of loaded beside new columns it lacks.
 */
export const CONTRACT_VERSION = "2";

export interface MetaTableDef {
  readonly name: "world_manifest" | "pipeline_runs";
  /** The dataset that holds it: the manifest sits with the raw data it describes; run records
   * are read by BI, which never sees `raw`. */
  readonly dataset: "raw" | "snapshots";
  readonly description: string;
  readonly columns: readonly ColumnDef[];
  /** BigQuery DAY partitioning column, if any. */
  readonly partitionColumn?: string;
  readonly clustering: readonly string[];
}

/** Where the data came from: the generated shop, or an orders file mapped into the contract. */
export const DATA_SOURCES = ["synthetic", "orders"] as const;

/** What wrote a run record row. */
export const RUN_KINDS = [
  "bulk",
  "replay",
  "generateData",
  "refreshRfmSnapshot",
  "refreshStatTests",
  "refreshClvSnapshot",
  "loadOrders",
  "nightly",
  "backfill",
  "orders",
] as const;
export const RUN_STATUSES = ["succeeded", "failed"] as const;

export const WORLD_MANIFEST: MetaTableDef = {
  name: "world_manifest",
  dataset: "raw",
  description:
    "One row: the world the raw tables hold (its identity) and the last complete day loaded. Every writer compares it with its own world and refuses a different one before writing.",
  clustering: [],
  columns: [
    col("world_id", "STRING", "Short hash of the identity columns below (all but data_through)."),
    col("source", "STRING", "synthetic (the generated shop) or orders (a mapped file).", false, [
      ...DATA_SOURCES,
    ]),
    col("seed", "INT64", "Generator seed; null for an orders file.", true),
    col(
      "users",
      "INT64",
      "Scale: users who sign up over the first two years; null for a file.",
      true,
    ),
    col("start_date", "DATE", "The world's first day."),
    col("model_version", "STRING", "Version of the generator's model (or of the file loader)."),
    col("contract_version", "STRING", "Version of the raw data contract the tables follow."),
    col(
      "absent_tables",
      "STRING",
      "Comma-separated raw tables the source does not have; empty when none.",
    ),
    col(
      "data_through",
      "DATE",
      "Last day loaded (the run date of the marts); null before any load.",
      true,
    ),
    col("updated_at", "TIMESTAMP", "When the row was last written."),
  ],
};

export const PIPELINE_RUNS: MetaTableDef = {
  name: "pipeline_runs",
  dataset: "snapshots",
  description:
    "One row per run (bulk, replay day, function call, nightly or backfill workflow): what it covered, how far the data now reaches, and whether it succeeded.",
  partitionColumn: "started_at",
  clustering: ["run_kind", "status"],
  columns: [
    col("run_id", "STRING", "Unique id of the run (a request id or a UUID)."),
    col("run_kind", "STRING", "What ran.", false, RUN_KINDS),
    col("world_id", "STRING", "world_manifest.world_id of the data the run wrote.", true),
    col("days_start", "DATE", "First data day the run covered.", true),
    col("days_end", "DATE", "Last data day the run covered.", true),
    col("data_through", "DATE", "world_manifest.data_through after the run.", true),
    col("started_at", "TIMESTAMP", "When the run started."),
    col("finished_at", "TIMESTAMP", "When the run ended, successfully or not."),
    col("status", "STRING", "succeeded or failed.", false, RUN_STATUSES),
    col(
      "failed_step",
      "STRING",
      "The step that failed (for example load, check:<name>, mart:<name>).",
      true,
    ),
    col("error", "STRING", "The failure's message, one line.", true),
    col("rows_json", "STRING", "Rows written per table, as a JSON object.", true),
  ],
};

export const META_TABLES: readonly MetaTableDef[] = [WORLD_MANIFEST, PIPELINE_RUNS];
