import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { readSql, sqlRoot } from "../sql/sqlFiles";
import {
  MARTS,
  type MartDeclaration,
  martByName,
  martDependencies,
  martsInDependencyOrder,
  sqlMartReferences,
} from "./catalog";

describe("the mart catalog", () => {
  it("declares every SQL file under sql/marts exactly once", () => {
    const files = readdirSync(join(sqlRoot(), "marts")).filter((f) => f.endsWith(".sql"));
    const declared = MARTS.filter((m) => m.file.startsWith("marts/")).map((m) => basename(m.file));
    expect(declared.sort()).toEqual(files.sort());
  });

  it("names each mart after its SQL file, and the file exists", () => {
    for (const m of MARTS) {
      expect(basename(m.file, ".sql")).toBe(m.name);
      expect(existsSync(join(sqlRoot(), m.file))).toBe(true);
    }
    expect(new Set(MARTS.map((m) => m.name)).size).toBe(MARTS.length);
  });

  it("gives every per-date mart a DAY partition on a column its SQL outputs", () => {
    for (const m of MARTS.filter((d) => d.materialization.kind === "partition")) {
      expect(m.partitioning?.granularity).toBe("DAY");
      expect(readSql(m.file)).toMatch(new RegExp(`\\bas ${m.partitioning!.column}\\b`));
      const parameter = (m.materialization as { parameter: string }).parameter;
      expect(readSql(m.file)).toContain(`@${parameter}`);
    }
  });

  it("clusters on at most four columns", () => {
    for (const m of MARTS) expect(m.clustering.length).toBeLessThanOrEqual(4);
  });

  it("opens every SQL file with a header comment stating its grain", () => {
    for (const m of MARTS) expect(readSql(m.file)).toMatch(/^-- Grain: /);
  });

  it("finds a mart's dependencies from its SQL, ignoring comments and raw tables", () => {
    const sql =
      "-- reads marts.dm_kpi_daily\nselect * from marts.dm_funnel_sessions join raw.users using (user_id)";
    expect(sqlMartReferences(sql)).toEqual(["dm_funnel_sessions"]);
    expect(martDependencies(martByName("dm_funnel_daily"))).toEqual(["dm_funnel_sessions"]);
    expect(martDependencies(martByName("rfm_daily"))).toEqual(["rfm_segment_map"]);
  });

  it("finds the tables a code step writes where a mart's SQL reads them, when asked for them", () => {
    const sql = readSql(martByName("dm_clv_segments").file);
    expect(sqlMartReferences(sql)).not.toContain("clv_daily");
    expect(sqlMartReferences(sql, ["clv_daily", "clv_fit"])).toEqual(["clv_daily"]);
    expect(sqlMartReferences(readSql(martByName("dm_kpi_daily").file), ["clv_daily"])).toEqual([]);
  });

  it("orders every mart after the marts it reads", () => {
    const order = martsInDependencyOrder().map((m) => m.name);
    expect(order).toHaveLength(MARTS.length);
    for (const m of MARTS) {
      for (const dep of martDependencies(m))
        expect(order.indexOf(dep)).toBeLessThan(order.indexOf(m.name));
    }
  });

  it("names the marts of a dependency cycle", () => {
    const a = { ...MARTS[0]!, name: "a" } as MartDeclaration;
    const b = { ...MARTS[0]!, name: "b" } as MartDeclaration;
    const deps = (d: MartDeclaration) => (d.name === "a" ? ["b"] : ["a"]);
    expect(() => martsInDependencyOrder([a, b], deps)).toThrow(/a, b/);
  });

  it("rejects an unknown mart name with the known ones", () => {
    expect(() => martByName("dm_nope")).toThrow(/dm_kpi_daily/);
  });
});
