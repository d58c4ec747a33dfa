import type { DuckDBConnection } from "@duckdb/node-api";
import { toDuckDb } from "../../sql/translate";
import { CatalogTable, qualifiedName } from "../catalog";
import { evaluateModify, TableRows } from "../evaluator";
import { codeOnly } from "../gate";
import { Cell, ResultTable } from "../resultTable";
import { typeName } from "../evaluator";
import { duckDbResult } from "./duckdbSide";

/**
 * A DML script (the RFM history statement: create, delete, update, insert) applied by both
 * engines to the same table, so the table's rows can be compared afterwards.
 */

/** Top-level statements of a script (split at semicolons outside comments and strings). */
export function splitStatements(script: string): string[] {
  const code = codeOnly(script);
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= code.length; i++) {
    if (i === code.length || code[i] === ";") {
      if (code.slice(start, i).trim()) out.push(script.slice(start, i).trim());
      start = i + 1;
    }
  }
  return out;
}

const isCreate = (statement: string): boolean => /^\s*create\s/i.test(codeOnly(statement));

/**
 * Applies the rendered `script` to `target` with the reference evaluator, statement by statement
 * (CREATE statements are skipped: `target` already exists), and returns the rows afterwards.
 */
export async function applyScriptInReference(
  server: Parameters<typeof evaluateModify>[0],
  script: string,
  target: TableRows,
  others: readonly TableRows[],
): Promise<Cell[][]> {
  let rows = target.rows.map((r) => [...r]);
  for (const statement of splitStatements(script)) {
    if (isCreate(statement)) continue;
    rows = await evaluateModify(server, statement, { table: target.table, rows }, others);
  }
  return rows;
}

/** Translates and runs the rendered script in DuckDB, then reads the target table. */
export async function applyScriptInDuckDb(
  connection: DuckDBConnection,
  script: string,
  target: CatalogTable,
): Promise<ResultTable> {
  for (const statement of splitStatements(await toDuckDb(script))) {
    await connection.run(statement);
  }
  return duckDbResult(connection, `select * from ${qualifiedName(target)}`);
}

/** Reference rows of `table` as a result, for `compareResults`. */
export function referenceTable(
  table: CatalogTable,
  rows: readonly (readonly Cell[])[],
): ResultTable {
  return {
    columns: table.columns.map((c) => ({
      name: c.name,
      type: typeName(c.type),
      engineType: typeName(c.type),
    })),
    rows,
  };
}
