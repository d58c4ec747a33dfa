import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import {
  RAW_TABLE_LIST,
  bigQuerySchemaJson,
  type RawTableName,
  type TableDef,
} from "../../functions/src/contract";
import type { DatasetName } from "../../functions/src/sql/render";

export interface WarehouseArgs {
  project: string;
  location: string;
  /** Per-stack dataset ids (suffixed on previews). */
  datasetIds: Record<DatasetName, string>;
  /** Preview stacks: tables expire on their own after `previewTableExpirationDays`. */
  isPreview: boolean;
  /** Tables and datasets may be deleted with their data (previews, or a stack being torn down). */
  destroyable: boolean;
  labels: Record<string, string>;
  /** Preview stacks only: tables expire on their own after this many days. */
  previewTableExpirationDays: number;
  /** The raw tables to create; the contract's eight unless a test narrows them. */
  tables?: readonly TableDef[];
}

const DATASET_DESCRIPTIONS: Record<DatasetName, string> = {
  raw: "Raw tables of the data contract, loaded daily from the lake. Not for BI.",
  marts: "Analysis marts refreshed by scheduled queries after the daily load.",
  snapshots: "Daily RFM snapshots and the history of segment changes.",
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** The `timePartitioning` of a raw table: by day on the contract's column, when it has one. */
export function rawTablePartitioning(
  def: TableDef,
): gcp.types.input.bigquery.TableTimePartitioning | undefined {
  return def.partitionColumn ? { type: "DAY", field: def.partitionColumn } : undefined;
}

/**
 * The three datasets and every raw table of the contract, with the contract's schema,
 * descriptions, partitioning and clustering. One definition (functions/src/contract) serves
 * DuckDB, the SQL gate and this program, so the cloud tables cannot drift from the local ones.
 *
 * Mart and snapshot tables are not created here: BigQuery needs a table's partitioning and
 * clustering columns in its schema at creation, a mart's schema is whatever its SQL selects, and
 * a partition-decorator write cannot add columns. The scheduled query (marts) and the RFM
 * function (snapshots) create and replace them, partitioned as their declarations say (see
 * docs/cloud.md, "Mart tables").
 *
 * Dev and prod keep `deletionProtection`; preview datasets are destroyable with their contents and
 * their tables expire on their own, so a PR whose cleanup failed stops costing within days.
 */
export class Warehouse extends pulumi.ComponentResource {
  readonly datasets: Record<DatasetName, gcp.bigquery.Dataset>;
  readonly rawTables: Partial<Record<RawTableName, gcp.bigquery.Table>>;

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
          defaultTableExpirationMs: args.isPreview
            ? args.previewTableExpirationDays * DAY_MS
            : undefined,
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
    this.registerOutputs({
      datasetIds: {
        raw: datasets.raw.datasetId,
        marts: datasets.marts.datasetId,
        snapshots: datasets.snapshots.datasetId,
      },
    });
  }
}
