import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import {
  RAW_TABLE_LIST,
  bigQuerySchemaJson,
  type RawTableName,
  type TableDef,
} from "../../functions/src/contract";
import { META_TABLES, type MetaTableDef } from "../../functions/src/contract/metaTables";
import { MARTS, type MartDeclaration } from "../../functions/src/marts/catalog";
import type { DatasetName } from "../../functions/src/sql/render";
import { committedMartSchemas, martTableFields, type MartSchemas } from "../martTableSchemas";

export interface WarehouseArgs {
  project: string;
  location: string;
  /** Per-stack dataset ids (suffixed on previews). */
  datasetIds: Record<DatasetName, string>;
  /** Tables and datasets may be deleted with their data (previews, or a stack being torn down). */
  destroyable: boolean;
  labels: Record<string, string>;
  /** The raw tables to create; the contract's eight unless a test narrows them. */
  tables?: readonly TableDef[];
  /** The marts and snapshots to create destination tables for; the catalog's unless narrowed. */
  marts?: readonly MartDeclaration[];
  /** Their output schemas; the committed `infra/martSchemas.json` unless a test passes its own. */
  martSchemas?: MartSchemas;
}

const DATASET_DESCRIPTIONS: Record<DatasetName, string> = {
  raw: "Raw tables of the data contract, loaded daily from the lake. Not for BI.",
  marts: "Analysis marts refreshed by scheduled queries after the daily load.",
  snapshots: "Daily RFM snapshots and the history of segment changes.",
};

/** The `timePartitioning` of a raw table: by day on the contract's column, when it has one. */
export function rawTablePartitioning(
  def: TableDef,
): gcp.types.input.bigquery.TableTimePartitioning | undefined {
  return def.partitionColumn ? { type: "DAY", field: def.partitionColumn } : undefined;
}

/** The `timePartitioning` of a mart's destination table: on its declared column and granularity. */
export function martTablePartitioning(
  decl: MartDeclaration,
): gcp.types.input.bigquery.TableTimePartitioning | undefined {
  return decl.partitioning
    ? { type: decl.partitioning.granularity, field: decl.partitioning.column }
    : undefined;
}

/**
 * The three datasets and every raw table of the contract, with the contract's schema,
 * descriptions, partitioning and clustering. One definition (functions/src/contract) serves
 * DuckDB, the SQL gate and this program, so the cloud tables cannot drift from the local ones.
 *
 * Every mart and snapshot declared in the catalog gets its destination table here too, before
 * anything writes to it, with the output schema the GoogleSQL analyzer derives from its SQL
 * (`infra/martSchemas.json`) and its declared partitioning (DAY or MONTH) and clustering. A table
 * that a query job creates on first write gets neither clustering nor MONTH partitioning, nor
 * deletion protection; writes with WRITE_TRUNCATE into an existing table keep all three.
 *
 * Dev and prod keep `deletionProtection`; preview datasets are destroyable with their contents.
 * Preview tables do not expire on their own: a table that vanished while Pulumi's state still
 * holds it makes the next `up` or `destroy` of that stack drift. A preview is destroyed when its
 * pull request closes (preview-cleanup.yml, with a refresh first); docs/deploy-from-github.md
 * lists the command that finds previews left behind.
 */
export class Warehouse extends pulumi.ComponentResource {
  readonly datasets: Record<DatasetName, gcp.bigquery.Dataset>;
  readonly rawTables: Partial<Record<RawTableName, gcp.bigquery.Table>>;
  /** The destination table of each mart and snapshot, by mart name. */
  readonly martTables: Record<string, gcp.bigquery.Table>;
  /** The bookkeeping tables (`raw.world_manifest`, `snapshots.pipeline_runs`), by name. */
  readonly metaTables: Record<MetaTableDef["name"], gcp.bigquery.Table>;

  constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:Warehouse", name, {}, opts);
    const datasets = {} as Record<DatasetName, gcp.bigquery.Dataset>;
    for (const logical of ["raw", "marts", "snapshots"] as const) {
      datasets[logical] = new gcp.bigquery.Dataset(
        `${name}-${logical}`,
        {
          project: args.project,
          datasetId: args.datasetIds[logical],
          location: args.location,
          description: DATASET_DESCRIPTIONS[logical],
          labels: { ...args.labels, layer: logical },
          deleteContentsOnDestroy: args.destroyable,
        },
        { parent: this },
      );
    }
    this.datasets = datasets;

    this.rawTables = {};
    for (const def of args.tables ?? RAW_TABLE_LIST) {
      this.rawTables[def.name] = new gcp.bigquery.Table(
        `${name}-raw-${def.name}`,
        {
          project: args.project,
          datasetId: datasets.raw.datasetId,
          tableId: def.name,
          description: def.description,
          schema: bigQuerySchemaJson(def),
          timePartitioning: rawTablePartitioning(def),
          requirePartitionFilter: def.partitionColumn ? def.requirePartitionFilter : undefined,
          clusterings: def.clustering.length > 0 ? [...def.clustering] : undefined,
          deletionProtection: !args.destroyable,
          labels: { ...args.labels, layer: "raw", kind: def.kind },
        },
        { parent: this },
      );
    }

    // The world manifest and the run record, from their one definition like the raw tables:
    // every writer (functions, workflows) finds them in place with their schema.
    this.metaTables = {} as Record<MetaTableDef["name"], gcp.bigquery.Table>;
    for (const def of META_TABLES) {
      this.metaTables[def.name] = new gcp.bigquery.Table(
        `${name}-${def.dataset}-${def.name}`,
        {
          project: args.project,
          datasetId: datasets[def.dataset].datasetId,
          tableId: def.name,
          description: def.description,
          schema: bigQuerySchemaJson(def),
          timePartitioning: def.partitionColumn
            ? { type: "DAY", field: def.partitionColumn }
            : undefined,
          clusterings: def.clustering.length > 0 ? [...def.clustering] : undefined,
          deletionProtection: !args.destroyable,
          labels: { ...args.labels, layer: def.dataset, kind: "bookkeeping" },
        },
        { parent: this },
      );
    }

    this.martTables = {};
    const schemas = args.martSchemas ?? committedMartSchemas();
    for (const decl of args.marts ?? MARTS) {
      this.martTables[decl.name] = new gcp.bigquery.Table(
        `${name}-${decl.dataset}-${decl.name}`,
        {
          project: args.project,
          datasetId: datasets[decl.dataset].datasetId,
          tableId: decl.name,
          description: decl.description,
          schema: JSON.stringify(martTableFields(decl, schemas)),
          timePartitioning: martTablePartitioning(decl),
          clusterings: decl.clustering.length > 0 ? [...decl.clustering] : undefined,
          deletionProtection: !args.destroyable,
          labels: {
            ...args.labels,
            layer: decl.dataset,
            kind: decl.dataset === "marts" ? "mart" : "snapshot",
          },
        },
        // The table id is fixed, so a replacement (a retyped column, new partitioning) must drop
        // the old table before creating the new one; deletion protection still guards dev/prod.
        { parent: this, deleteBeforeReplace: true },
      );
    }
    this.registerOutputs({
      datasetIds: {
        raw: datasets.raw.datasetId,
        marts: datasets.marts.datasetId,
        snapshots: datasets.snapshots.datasetId,
      },
    });
  }
}

/**
 * Write on the run-record table (`snapshots.pipeline_runs`) for one account: everything that runs
 * a step of the chain records itself there, and needs nothing else of `snapshots` to do so.
 */
export function runRecordWriter(
  name: string,
  args: { project: string; table: gcp.bigquery.Table; member: pulumi.Input<string> },
  opts: pulumi.CustomResourceOptions,
): gcp.bigquery.IamMember {
  return new gcp.bigquery.IamMember(
    name,
    {
      project: args.project,
      datasetId: args.table.datasetId,
      tableId: args.table.tableId,
      role: "roles/bigquery.dataEditor",
      member: args.member,
    },
    opts,
  );
}
