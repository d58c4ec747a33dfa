import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ORACLE_KEYS } from "../../functions/src/marts/truth/shopTruth";
import { applyMutation } from "./applyMutation";
import { MART_MUTATIONS } from "./martMutations";
import { judgingTests } from "./run";

const ROOT = join(__dirname, "..", "..");
const mutation = { file: "x.sql", name: "strict becomes loose", from: "a < b", to: "a <= b" };

describe("applyMutation", () => {
  it("replaces the one occurrence of its text", () => {
    expect(applyMutation("select a < b as c", mutation)).toBe("select a <= b as c");
  });

  it("refuses a mutation whose text is gone, naming it", () => {
    expect(() => applyMutation("select 1", mutation)).toThrow(
      /strict becomes loose.*does not apply/,
    );
  });

  it("refuses a mutation whose text occurs twice", () => {
    expect(() => applyMutation("a < b and a < b", mutation)).toThrow(/ambiguous/);
  });

  it("refuses a mutation that changes nothing", () => {
    expect(() => applyMutation("a < b", { ...mutation, to: "a < b" })).toThrow(/changes nothing/);
  });
});

describe("the mart mutations", () => {
  it("are at least 30, each applying to its file exactly once", () => {
    expect(MART_MUTATIONS.length).toBeGreaterThanOrEqual(30);
    for (const m of MART_MUTATIONS) {
      expect(() => applyMutation(readFileSync(join(ROOT, m.file), "utf8"), m)).not.toThrow();
    }
  });

  it("have distinct names", () => {
    expect(new Set(MART_MUTATIONS.map((m) => m.name)).size).toBe(MART_MUTATIONS.length);
  });

  it("reach every mart with an oracle, the RFM snapshot included", () => {
    const mutated = new Set(MART_MUTATIONS.map((m) => basename(m.file, ".sql")));
    expect(Object.keys(ORACLE_KEYS).filter((n) => !mutated.has(n))).toEqual([]);
  });

  it("are judged by the oracle tests, boundary fixture first", () => {
    expect(judgingTests("sql/marts/dm_churn_risk.sql")).toEqual([
      "functions/src/marts/oracle.boundary.test.ts",
      "functions/src/marts/generatedShop.test.ts",
    ]);
    expect(judgingTests("sql/rfm/rfm_daily.sql")).toEqual(
      judgingTests("sql/marts/dm_kpi_daily.sql"),
    );
    expect(() => judgingTests("sql/checks/x.sql")).toThrow(/No tests/);
  });
});
