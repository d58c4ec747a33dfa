import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { runChecks } from "../functions/src/checks";
import { DEFAULT_GENERATE_OPTIONS } from "../functions/src/generator";
import { loadGeneratedShop, openTestWarehouse } from "../functions/src/marts/testing/testWarehouse";
import { DUCKDB_TEMPLATES } from "../functions/src/sql/duckdbTemplates";
import { lastJsonLineOfFreshNode } from "./cli/testing/freshNode";
import { funnelRates, userTypeKpis } from "./cli/summary";
import { runMarts, warmLaterStages, writeReport } from "./laterStages";

/**
 * Which of the later stages' modules a fresh Node process has loaded after requiring `npm start`'s
 * module, and after `warmLaterStages` has had its macrotask. A real process: jest's own module
 * registry would not show what Node loads.
 */
function loadedModules(): { atStart: string[]; warmed: string[] } {
  return lastJsonLineOfFreshNode(`
    const later = ["marts/runMarts.ts", "report/index.ts", "orders/ordersToWarehouse.ts"];
    const loaded = () => later.filter((m) => Object.keys(require.cache).some((k) => k.endsWith(m)));
    require(${JSON.stringify(join(__dirname, "start.ts"))});
    const atStart = loaded();
    require(${JSON.stringify(join(__dirname, "laterStages.ts"))}).warmLaterStages();
    setImmediate(() => console.log(JSON.stringify({ atStart, warmed: loaded() })));
  `);
}

describe("npm start's later stages", () => {
  it("are not loaded when the command starts, and warming loads the marts and the report", () => {
    const { atStart, warmed } = loadedModules();
    expect(atStart).toEqual([]);
    expect(warmed).toEqual(["marts/runMarts.ts", "report/index.ts"]);
  });
});

describe("translating ahead", () => {
  /** A small shop of the reference calendar, so the chain runs every step, CLV included. */
  const SHOP = { ...DEFAULT_GENERATE_OPTIONS, seed: 42, users: 3000 };
  let warehouse: DuckDbWarehouse;

  beforeAll(async () => {
    warehouse = await openTestWarehouse();
    await loadGeneratedShop(warehouse, SHOP);
  }, 120_000);
  afterAll(() => warehouse.close());

  it("leaves nothing for the checks, the marts, the report and the summary to translate", async () => {
    await warmLaterStages();
    const ahead = DUCKDB_TEMPLATES.translations;
    const checks = await runChecks(warehouse);
    const marts = await runMarts(warehouse, {
      runDate: SHOP.endDate,
      fromDate: SHOP.startDate,
      snapshotFrom: SHOP.startDate,
    });
    expect(checks.filter((c) => c.violations > 0)).toEqual([]);
    expect(marts.filter((m) => m.skipped)).toEqual([]);
    // Every check and mart, the snapshot step's queries and the CLV and tests' inputs.
    expect(ahead).toBeGreaterThanOrEqual(checks.length + marts.length);
    expect(DUCKDB_TEMPLATES.translations - ahead).toBe(0);
    // Then what npm start does with them: the report and the summary's figures.
    const folder = await mkdtemp(join(tmpdir(), "translated-ahead-"));
    try {
      const report = await writeReport(warehouse, join(folder, "report.html"));
      expect(report.sections).toHaveLength(12);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    expect(await userTypeKpis(warehouse, SHOP.endDate)).toHaveLength(4);
    expect(Number((await funnelRates(warehouse))?.sessions)).toBeGreaterThan(0);
    expect(DUCKDB_TEMPLATES.translations - ahead).toBe(0);
  }, 120_000);
});

describe("npm start's module", () => {
  it.each([
    ["zod", "it validates its options without it (zod took 0.2 s to load)", "/node_modules/zod/"],
    ["the SQL translator", "it loads while DuckDB generates the shop", "/@polyglot-sql/"],
  ])("does not load %s: %s", (_name, _why, path) => {
    const loaded = lastJsonLineOfFreshNode<number>(`
      require(${JSON.stringify(join(__dirname, "start.ts"))});
      console.log(Object.keys(require.cache).filter((k) => k.includes(${JSON.stringify(path)})).length);
    `);
    expect(loaded).toBe(0);
  });
});
