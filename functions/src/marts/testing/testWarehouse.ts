import { DuckDbWarehouse } from "../../backends/duckdbWarehouse";

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
