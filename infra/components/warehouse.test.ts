import { RAW_TABLE_LIST } from "../../functions/src/contract";
import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { Warehouse } from "./warehouse";

const common = {
  project: "my-analytics-dev",
  location: "EU",
  labels: { env: "x" },
  previewTableExpirationDays: 3,
};
let created: RecordedResource[];

beforeAll(async () => {
  ({ created } = await recordComponents("dev", () => {
    new Warehouse("dev", {
      ...common,
      datasetIds: { raw: "raw", marts: "marts", snapshots: "snapshots" },
      isPreview: false,
      destroyable: false,
    });
    new Warehouse("preview", {
      ...common,
      datasetIds: { raw: "raw_pr_1", marts: "marts_pr_1", snapshots: "snapshots_pr_1" },
      isPreview: true,
      destroyable: true,
    });
  }));
});

const tables = (prefix: string) =>
  created.filter((r) => r.type === T.table && r.name.startsWith(prefix));
const datasets = (prefix: string) =>
  created.filter((r) => r.type === T.dataset && r.name.startsWith(prefix));

describe("Warehouse", () => {
  it("creates every raw table of the contract with the contract's columns, types and modes", () => {
    const byId = new Map(tables("dev-").map((t) => [t.inputs.tableId, t]));
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
    const byId = new Map(tables("dev-").map((t) => [t.inputs.tableId, t]));
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

  it("puts every dataset in the configured location with env labels", () => {
    for (const d of datasets(""))
      expect(d.inputs).toMatchObject({ location: "EU", labels: { env: "x" } });
  });

  it("keeps deletion protection and dataset contents on a non-preview stack", () => {
    expect(tables("dev-").every((t) => t.inputs.deletionProtection === true)).toBe(true);
    for (const d of datasets("dev-")) {
      expect(d.inputs.deleteContentsOnDestroy).toBe(false);
      expect(d.inputs.defaultTableExpirationMs).toBeUndefined();
    }
  });

  it("makes a preview stack fully destroyable, with tables that expire on their own", () => {
    expect(tables("preview-").every((t) => t.inputs.deletionProtection === false)).toBe(true);
    expect(tables("preview-").every((t) => t.inputs.datasetId === "raw_pr_1")).toBe(true);
    for (const d of datasets("preview-")) {
      expect(d.inputs.deleteContentsOnDestroy).toBe(true);
      expect(d.inputs.defaultTableExpirationMs).toBe(3 * 24 * 3600 * 1000);
    }
  });
});
