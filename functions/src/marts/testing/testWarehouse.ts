import { DuckDbWarehouse } from "../../backends/duckdbWarehouse";
import { RAW_TABLE_NAMES } from "../../contract";
import { generateShop, type GenerateOptions } from "../../generator";

/**
 * An in-memory local warehouse with the raw tables created: the real DuckDbWarehouse (render,
 * translate, run), so the marts' tests exercise the same path `npm start` does. Raw fixture rows
 * go in through `connection`.
 */
export async function openTestWarehouse(): Promise<DuckDbWarehouse> {
  const warehouse = await DuckDbWarehouse.open({ path: ":memory:" });
  await warehouse.ensureRawTables();
  return warehouse;
}

/**
 * Generates a shop straight into the warehouse's raw tables (no lake): the generator's tables
 * copied into `raw`, its own schema dropped.
 */
export async function loadGeneratedShop(
  warehouse: DuckDbWarehouse,
  shop: GenerateOptions,
): Promise<void> {
  await generateShop(warehouse.connection, shop);
  for (const table of RAW_TABLE_NAMES) {
    await warehouse.connection.run(`insert into raw.${table} select * from gen.${table}`);
  }
  await warehouse.connection.run("drop schema gen cascade");
}
