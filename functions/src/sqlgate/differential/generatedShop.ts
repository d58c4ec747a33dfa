import type { DuckDBConnection } from "@duckdb/node-api";
import { RAW_TABLE_LIST, RawTableName } from "../../contract";
import { generateShop, GenerateOptions } from "../../generator";
import { Cell } from "../resultTable";
import { duckDbResult, RawRows } from "./duckdbSide";

/**
 * A tiny shop from the real generator, as fixture rows: the generator writes `gen.<table>` in the
 * given DuckDB connection and the rows are read back in primary-key order, so both engines see
 * the same behaviour-model data the pipeline produces, not only hand-picked cases.
 */
export const TINY_SHOP: GenerateOptions = {
  seed: 7,
  users: 30,
  startDate: "2024-01-01",
  endDate: "2024-12-31",
};

export async function generatedShopRows(
  connection: DuckDBConnection,
  options: GenerateOptions = TINY_SHOP,
): Promise<RawRows> {
  await generateShop(connection, options);
  const rows = {} as Record<RawTableName, Cell[][]>;
  for (const table of RAW_TABLE_LIST) {
    const columns = table.columns.map((c) => c.name).join(", ");
    const result = await duckDbResult(
      connection,
      `select ${columns} from gen.${table.name} order by ${table.primaryKey}`,
    );
    rows[table.name] = result.rows.map((r) => [...r]);
  }
  return rows;
}
