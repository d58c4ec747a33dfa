import * as pulumi from "@pulumi/pulumi";
import { bigQuerySchema, RAW_TABLE_LIST } from "../../functions/src/contract";
import { META_TABLES } from "../../functions/src/contract/metaTables";
import { MARTS } from "../../functions/src/marts/catalog";
import { committedMartSchemas } from "../martTableSchemas";
import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { Warehouse } from "./warehouse";

const common = {
  project: "my-analytics-dev",
  location: "EU",
  labels: { env: "x" },
};
let created: RecordedResource[];
/** Tables whose options ask to delete before replacing (mocks do not record options). */
const deletedBeforeReplace = new Set<string>();
const recordOptions: pulumi.ResourceTransformation = ({ type, name, opts }) => {
  if (type === T.table && (opts as pulumi.CustomResourceOptions).deleteBeforeReplace)
    deletedBeforeReplace.add(name);
  return undefined;
};

beforeAll(async () => {
  ({ created } = await recordComponents("dev", () => {
    new Warehouse(
      "dev",
      {
        ...common,
        datasetIds: { raw: "raw", marts: "marts", snapshots: "snapshots" },
        destroyable: false,
      },
      { transformations: [recordOptions] },
    );
    new Warehouse("preview", {
      ...common,
      datasetIds: { raw: "raw_pr_1", marts: "marts_pr_1", snapshots: "snapshots_pr_1" },
      destroyable: true,
    });
  }));
});

const tables = (prefix: string) =>
  created.filter((r) => r.type === T.table && r.name.startsWith(prefix));
const bookkeeping = (prefix: string) =>
  tables(prefix).filter((t) => t.inputs.labels.kind === "bookkeeping");
const rawTables = (prefix: string) =>
  tables(prefix).filter(
    (t) => t.inputs.datasetId.startsWith("raw") && t.inputs.labels.kind !== "bookkeeping",
  );
const martTables = (prefix: string) =>
  tables(prefix).filter(
    (t) => !t.inputs.datasetId.startsWith("raw") && t.inputs.labels.kind !== "bookkeeping",
  );
const datasets = (prefix: string) =>
  created.filter((r) => r.type === T.dataset && r.name.startsWith(prefix));

describe("Warehouse", () => {
  it("creates every raw table of the contract with the contract's columns, types and modes", () => {
    const byId = new Map(rawTables("dev-").map((t) => [t.inputs.tableId, t]));
    expect([...byId.keys()].sort()).toEqual(RAW_TABLE_LIST.map((d) => d.name).sort());
    for (const def of RAW_TABLE_LIST) {
      const table = byId.get(def.name)!;
      expect(table.inputs.datasetId).toBe("raw");
      expect(table.inputs.description).toBe(def.description);
      const schema = JSON.parse(table.inputs.schema) as {
        name: string;
        type: string;
        mode: string;
      }[];
      expect(schema.map((f) => [f.name, f.type, f.mode])).toEqual(
        def.columns.map((c) => [c.name, c.type, c.nullable ? "NULLABLE" : "REQUIRED"]),
      );
    }
  });

  it("partitions by day on the contract's column, clusters and requires filters as declared", () => {
    const byId = new Map(rawTables("dev-").map((t) => [t.inputs.tableId, t]));
    const facts = RAW_TABLE_LIST.filter((d) => d.kind === "fact");
    expect(facts.length).toBeGreaterThan(0);
    for (const def of RAW_TABLE_LIST) {
      const table = byId.get(def.name)!;
      if (def.partitionColumn) {
        expect(table.inputs.timePartitioning).toEqual({ type: "DAY", field: def.partitionColumn });
        expect(table.inputs.requirePartitionFilter).toBe(def.requirePartitionFilter);
      } else {
        expect(def.kind).toBe("dimension");
        expect(table.inputs.timePartitioning).toBeUndefined();
      }
      expect(table.inputs.clusterings ?? []).toEqual(def.clustering);
    }
    for (const def of facts)
      expect(byId.get(def.name)!.inputs.timePartitioning?.field).toBe(def.partitionColumn);
  });

  it("creates a destination table for every mart and snapshot, in its dataset, with the derived columns", () => {
    const schemas = committedMartSchemas();
    const byId = new Map(martTables("dev-").map((t) => [t.inputs.tableId, t]));
    expect([...byId.keys()].sort()).toEqual(MARTS.map((m) => m.name).sort());
    for (const decl of MARTS) {
      const table = byId.get(decl.name)!;
      expect(table.inputs.datasetId).toBe(decl.dataset);
      expect(table.inputs.description).toBe(decl.description);
      const fields = JSON.parse(table.inputs.schema) as {
        name: string;
        type: string;
        mode: string;
        description?: string;
      }[];
      expect(fields).toEqual(schemas[decl.name]);
      expect(fields.length).toBeGreaterThan(1);
      expect(fields.every((f) => f.mode === "NULLABLE")).toBe(true);
      // Every column carries its description into BigQuery.
      expect(fields.filter((f) => !f.description).map((f) => `${decl.name}.${f.name}`)).toEqual([]);
    }
    expect(byId.get("dm_kpi_daily")!.inputs.schema).toContain(
      '{"name":"kpi_date","type":"DATE","mode":"NULLABLE","description":"The day (UTC) the row describes; the partition column."}',
    );
    expect(byId.get("rfm_daily")!.inputs.datasetId).toBe("snapshots");
  });

  it("partitions mart tables on the declared column and granularity and clusters them as declared", () => {
    const byId = new Map(martTables("dev-").map((t) => [t.inputs.tableId, t]));
    expect(MARTS.some((m) => m.partitioning?.granularity === "MONTH")).toBe(true);
    for (const decl of MARTS) {
      const table = byId.get(decl.name)!;
      expect(table.inputs.timePartitioning).toEqual(
        decl.partitioning
          ? { type: decl.partitioning.granularity, field: decl.partitioning.column }
          : undefined,
      );
      expect(table.inputs.clusterings ?? []).toEqual(decl.clustering);
    }
    expect(byId.get("dm_user_purchase_summary")!.inputs.timePartitioning).toEqual({
      type: "MONTH",
      field: "signup_date",
    });
  });

  it("drops a mart table before recreating it when a change forces a replacement (fixed table id)", () => {
    expect([...deletedBeforeReplace].sort()).toEqual(
      martTables("dev-")
        .map((t) => t.name)
        .sort(),
    );
  });

  it("puts every dataset in the configured location with env labels", () => {
    for (const d of datasets(""))
      expect(d.inputs).toMatchObject({ location: "EU", labels: { env: "x" } });
  });

  it("keeps deletion protection and dataset contents on a non-preview stack", () => {
    expect(martTables("dev-").length).toBe(MARTS.length);
    expect(tables("dev-").every((t) => t.inputs.deletionProtection === true)).toBe(true);
    for (const d of datasets("dev-")) {
      expect(d.inputs.deleteContentsOnDestroy).toBe(false);
      expect(d.inputs.defaultTableExpirationMs).toBeUndefined();
    }
  });

  it("makes a preview stack fully destroyable, with no table that vanishes behind Pulumi's state", () => {
    expect(tables("preview-").every((t) => t.inputs.deletionProtection === false)).toBe(true);
    expect(martTables("preview-").length).toBe(MARTS.length);
    for (const t of tables("preview-")) expect(t.inputs.datasetId).toMatch(/_pr_1$/);
    for (const t of tables("preview-")) expect(t.inputs.expirationTime).toBeUndefined();
    for (const d of datasets("preview-")) {
      expect(d.inputs.deleteContentsOnDestroy).toBe(true);
      expect(d.inputs.defaultTableExpirationMs).toBeUndefined();
    }
  });

  it("creates the world manifest in raw and the run record in snapshots, from their one definition", () => {
    const byId = new Map(bookkeeping("dev-").map((t) => [t.inputs.tableId, t]));
    expect([...byId.keys()].sort()).toEqual(META_TABLES.map((t) => t.name).sort());
    for (const def of META_TABLES) {
      const table = byId.get(def.name)!;
      expect(table.inputs.datasetId).toBe(def.dataset);
      expect(JSON.parse(table.inputs.schema)).toEqual(bigQuerySchema(def));
      expect(table.inputs.timePartitioning).toEqual(
        def.partitionColumn ? { type: "DAY", field: def.partitionColumn } : undefined,
      );
      expect(table.inputs.deletionProtection).toBe(true);
    }
  });
});
