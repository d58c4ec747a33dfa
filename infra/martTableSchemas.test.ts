import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MartDeclaration } from "../functions/src/marts/catalog";
import {
  committedMartSchemas,
  martTableFields,
  parseMartSchemas,
  type MartSchemas,
} from "./martTableSchemas";

const decl: MartDeclaration = {
  name: "dm_kpi_daily",
  file: "marts/dm_kpi_daily.sql",
  dataset: "marts",
  description: "One row per day.",
  materialization: { kind: "partition", parameter: "run_date" },
  partitioning: { column: "kpi_date", granularity: "DAY" },
  clustering: ["segment"],
};
const schemas: MartSchemas = {
  dm_kpi_daily: [
    { name: "kpi_date", type: "DATE", mode: "NULLABLE" },
    { name: "segment", type: "STRING", mode: "NULLABLE" },
    { name: "tags", type: "STRING", mode: "REPEATED" },
  ],
};

describe("martTableFields", () => {
  it("returns the mart's fields when its partitioning and clustering columns are in them", () => {
    expect(martTableFields(decl, schemas)).toBe(schemas.dm_kpi_daily);
  });

  it("names the mart and the regenerate command when the mart has no schema", () => {
    expect(() => martTableFields({ ...decl, name: "dm_new" }, schemas)).toThrow(
      /Mart dm_new \(marts\/dm_kpi_daily\.sql\) has no schema.*npm run sql:schemas/,
    );
  });

  it("refuses a partitioning column the schema lacks or that is not a date or timestamp", () => {
    const on = (column: string): MartDeclaration => ({
      ...decl,
      partitioning: { column, granularity: "MONTH" },
    });
    expect(() => martTableFields(on("signup_date"), schemas)).toThrow(/partitioned on signup_date/);
    expect(() => martTableFields(on("segment"), schemas)).toThrow(/partitioned on segment/);
  });

  it("refuses clustering on a missing or repeated column, naming them", () => {
    expect(() => martTableFields({ ...decl, clustering: ["tags", "nope"] }, schemas)).toThrow(
      "Mart dm_kpi_daily is clustered on tags, nope",
    );
  });
});

describe("parseMartSchemas", () => {
  it("accepts the committed file", () => {
    expect(Object.keys(committedMartSchemas()).length).toBeGreaterThan(0);
  });

  it("names the bad path of a malformed document", () => {
    const bad = { dm_x: [{ name: "a", type: "STRING", mode: "REQUIRED" }] };
    expect(() => parseMartSchemas(bad)).toThrow(/malformed at dm_x\.0\.mode/);
    const record = { dm_x: [{ name: "r", type: "RECORD", mode: "NULLABLE" }] };
    expect(() => parseMartSchemas(record)).toThrow(/RECORD field has nested fields/);
  });

  it("tells how to regenerate a file that is not JSON", () => {
    const path = join(mkdtempSync(join(tmpdir(), "mart-schemas-")), "martSchemas.json");
    writeFileSync(path, "{ not json");
    expect(() => committedMartSchemas(path)).toThrow(/npm run sql:schemas/);
  });
});
