import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { RAW_TABLE_LIST } from "../contract";
import { generateShop } from "../generator";
import { assertChecksPass, listChecks, runChecks } from "./index";

/**
 * The checks against the real generator: a small shop over seven months (two reactivation
 * campaigns), copied into the raw tables the way a load would, must pass every check. A generator change that breaks an integrity
 * rule fails here with the check's name and sample rows.
 */
describe("a generated shop", () => {
  let warehouse: DuckDbWarehouse;
  beforeAll(async () => {
    warehouse = await DuckDbWarehouse.open({ path: ":memory:", threads: 1 });
    await warehouse.ensureRawTables();
    await generateShop(warehouse.connection, {
      seed: 11,
      users: 3000,
      startDate: "2024-01-01",
      endDate: "2024-07-31",
    });
    for (const table of RAW_TABLE_LIST) {
      await warehouse.connection.run(
        `insert into raw.${table.name} select * from gen.${table.name}`,
      );
    }
  });
  afterAll(() => warehouse.close());

  it("has rows in every raw table", async () => {
    for (const table of RAW_TABLE_LIST) {
      const [row] = await warehouse.query<{ n: number }>(
        `select count(*) as n from raw.${table.name}`,
      );
      expect([table.name, Number(row!.n) > 0]).toEqual([table.name, true]);
    }
  });

  it("passes every data-quality check", async () => {
    const results = await runChecks(warehouse, { sampleSize: 3 });
    expect(results).toHaveLength(listChecks().length);
    expect(() => assertChecksPass(results)).not.toThrow();
  });
});
