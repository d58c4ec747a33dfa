import type { DuckDBConnection } from "@duckdb/node-api";
import { queryRows } from "../../warehouse/duckdb";
import type { TruthRow } from "./shopTruth";

/**
 * Reads a materialised mart with every value in a comparable form: numbers as numbers (BIGINT
 * and HUGEINT included), timestamps as epoch milliseconds, dates as YYYY-MM-DD text.
 */
export async function readMartRows(
  connection: DuckDBConnection,
  dataset: string,
  table: string,
): Promise<TruthRow[]> {
  const columns = await queryRows<{ column_name: string; column_type: string }>(
    connection,
    `describe ${dataset}.${table}`,
  );
  const select = columns.map(({ column_name: name, column_type: type }) => {
    const quoted = `"${name}"`;
    if (/^TIMESTAMP/.test(type)) return `epoch_ms(${quoted})::double as ${quoted}`;
    if (type === "DATE") return `${quoted}::varchar as ${quoted}`;
    if (/INT|DECIMAL/.test(type)) return `${quoted}::double as ${quoted}`;
    return quoted;
  });
  return queryRows<TruthRow>(connection, `select ${select.join(", ")} from ${dataset}.${table}`);
}

/** Equal as numbers when within a relative 1e-9 (sums in another order), else strictly equal. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/**
 * Compares a mart with its oracle column by column: the same columns, the same rows by key, and
 * the same value in every cell. Returns readable differences (at most `limit`), empty when equal.
 */
export function compareWithOracle(
  mart: readonly TruthRow[],
  oracle: readonly TruthRow[],
  key: readonly string[],
  limit = 12,
): string[] {
  const differences: string[] = [];
  const note = (text: string) => {
    if (differences.length < limit) differences.push(text);
  };
  const martColumns = Object.keys(mart[0] ?? oracle[0] ?? {}).sort();
  const oracleColumns = Object.keys(oracle[0] ?? mart[0] ?? {}).sort();
  if (JSON.stringify(martColumns) !== JSON.stringify(oracleColumns)) {
    note(
      `columns differ: mart only [${martColumns.filter((c) => !oracleColumns.includes(c))}], ` +
        `oracle only [${oracleColumns.filter((c) => !martColumns.includes(c))}]`,
    );
    return differences;
  }
  const keyOf = (row: TruthRow) => JSON.stringify(key.map((k) => row[k]));
  const oracleByKey = new Map(oracle.map((r) => [keyOf(r), r]));
  if (oracleByKey.size !== oracle.length) note(`the oracle repeats a key of ${key.join(", ")}`);
  const seen = new Set<string>();
  for (const row of mart) {
    const k = keyOf(row);
    if (seen.has(k)) note(`the mart repeats the row ${k}`);
    seen.add(k);
    const expected = oracleByKey.get(k);
    if (!expected) {
      note(`the mart has a row the oracle does not: ${k}`);
      continue;
    }
    for (const column of martColumns) {
      if (!sameValue(row[column], expected[column])) {
        note(`${k} ${column}: mart ${row[column]}, oracle ${expected[column]}`);
      }
    }
  }
  for (const k of oracleByKey.keys()) {
    if (!seen.has(k)) note(`the oracle has a row the mart does not: ${k}`);
  }
  return differences;
}
