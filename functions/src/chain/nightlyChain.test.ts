import { listChecks } from "../checks";
import { MARTS, martDependencies } from "../marts/catalog";
import { readSql } from "../sql/sqlFiles";
import { CLV_STEP_TABLES, nightlyChain, SNAPSHOT_MARTS } from "./nightlyChain";

describe("nightlyChain", () => {
  const steps = nightlyChain();
  const position = (name: string) =>
    steps.findIndex((s) => s.name === name || (s.kind === "snapshot" && s.produces.includes(name)));

  it("starts with the load, ends with the run record", () => {
    expect(steps[0]).toEqual({ kind: "generate", name: "generateData" });
    expect(steps[steps.length - 1]).toEqual({ kind: "record", name: "pipeline_runs" });
  });

  it("runs every data-quality check exactly once, before any mart", () => {
    const checks = steps.filter((s) => s.kind === "check").map((s) => s.name);
    expect(checks.sort()).toEqual(
      listChecks()
        .map((c) => c.name)
        .sort(),
    );
    const firstMart = steps.findIndex((s) => s.kind === "mart" || s.kind === "snapshot");
    const lastCheck = steps.map((s) => s.kind).lastIndexOf("check");
    expect(lastCheck).toBeLessThan(firstMart);
  });

  it("has every mart exactly once, the snapshot's as one step", () => {
    const marts = steps.filter((s) => s.kind === "mart").map((s) => s.name);
    expect(new Set(marts).size).toBe(marts.length);
    const expected = MARTS.map((m) => m.name).filter(
      (n) => !(SNAPSHOT_MARTS as readonly string[]).includes(n),
    );
    expect(marts.sort()).toEqual(expected.sort());
    expect(steps.filter((s) => s.kind === "snapshot")).toHaveLength(1);
  });

  it("puts each mart after every mart it reads", () => {
    for (const decl of MARTS) {
      const at = position(decl.name);
      for (const dependency of martDependencies(decl)) {
        const before = position(dependency);
        // The snapshot step writes both of its marts, in their own order.
        if (before === at) expect(steps[at]?.kind).toBe("snapshot");
        else
          expect({ mart: decl.name, dependency, before: before < at }).toEqual({
            mart: decl.name,
            dependency,
            before: true,
          });
      }
    }
  });

  it("fits the CLV models once, right after the RFM snapshot, before every mart that reads them", () => {
    const clv = steps.filter((s) => s.kind === "clv");
    expect(clv).toEqual([
      { kind: "clv", name: "refreshClvSnapshot", produces: [...CLV_STEP_TABLES] },
    ]);
    const at = steps.indexOf(clv[0]!);
    expect(steps[at - 1]?.kind).toBe("snapshot");
    const readers = MARTS.filter((m) =>
      CLV_STEP_TABLES.some((t) => new RegExp(`snapshots\\.${t}\\b`).test(readSql(m.file))),
    );
    expect(readers.length).toBeGreaterThan(0);
    for (const m of readers)
      expect({ mart: m.name, after: position(m.name) > at }).toEqual({ mart: m.name, after: true });
  });

  it("keeps the mart order it is given, so the dependency test above is what guards the order", () => {
    const reversed = nightlyChain([...MARTS].reverse(), [], martDependencies);
    const at = (name: string) => reversed.findIndex((s) => s.name === name);
    expect(at("dm_funnel_daily")).toBeLessThan(at("dm_funnel_sessions"));
  });
});
