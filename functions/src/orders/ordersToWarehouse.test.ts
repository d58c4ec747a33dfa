import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { RAW_TABLE_NAMES } from "../contract";
import { ordersToWarehouse } from "./ordersToWarehouse";
import { RETAIL_FILE, retailMapping } from "./testing/fixtures";

let dir: string;
let lake: LocalLake;
let warehouse: DuckDbWarehouse;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "orders-to-warehouse-"));
  lake = new LocalLake(join(dir, "lake"));
  warehouse = await DuckDbWarehouse.open({ path: join(dir, "warehouse.duckdb") });
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

describe("ordersToWarehouse", () => {
  it("lands the derived tables in the lake and the warehouse, the absent ones empty", async () => {
    const summary = await ordersToWarehouse(RETAIL_FILE, retailMapping(), { lake, warehouse });
    for (const table of RAW_TABLE_NAMES) {
      const [row] = await warehouse.query<{ n: number }>(`select count(*) as n from raw.${table}`);
      expect([table, row!.n]).toEqual([table, summary.tables[table]]);
    }
    const [revenue] = await warehouse.query<{ total: number }>(
      "select round(sum(line_amount), 2) as total from raw.order_items",
    );
    expect(revenue!.total).toBe(102.25);
    // Every day of the file has its files, so a second load of a shorter file empties the rest.
    expect((await lake.list("raw/orders/")).length).toBe(8);
  });

  it("loads the same file twice to the same tables", async () => {
    await ordersToWarehouse(RETAIL_FILE, retailMapping(), { lake, warehouse });
    const first = await warehouse.query("select * from raw.order_items order by order_item_id");
    await ordersToWarehouse(RETAIL_FILE, retailMapping(), { lake, warehouse });
    expect(await warehouse.query("select * from raw.order_items order by order_item_id")).toEqual(
      first,
    );
  });

  it("writes nothing, to the lake or the warehouse, when the input is bad", async () => {
    const mapping = retailMapping();
    const bad = { ...mapping, fields: { ...mapping.fields, timestamp: "Date" } };
    await expect(ordersToWarehouse(RETAIL_FILE, bad, { lake, warehouse })).rejects.toThrow(
      'column "Date"',
    );
    expect(await lake.list("")).toEqual([]);
    const schemas = await warehouse.connection.runAndReadAll(
      "select count(*) as n from information_schema.schemata where schema_name = 'raw'",
    );
    expect(Number(schemas.getRowObjectsJson()[0]!.n)).toBe(0);
  });
});
