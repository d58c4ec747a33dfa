/**
 * Helpers shared by the generator's tests: a generated world in an in-memory DuckDB, copies of
 * its tables for comparison, and order-independent fingerprints of table contents.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { RAW_TABLE_NAMES, type RawTableName } from "../contract";
import { closeDuckDb, openDuckDb, queryRows } from "../warehouse/duckdb";
import { DEFAULT_GENERATE_OPTIONS, generateShop, type GenerateOptions } from "./index";

export type Db = Awaited<ReturnType<typeof openDuckDb>>;

/** Opens an in-memory database (one thread: test files run in parallel) and generates a world. */
export async function generatedWorld(
  options: Partial<GenerateOptions>,
): Promise<{ db: Db; counts: Record<RawTableName, number> }> {
  const db = await openDuckDb(":memory:", { threads: 1 });
  const counts = await generateShop(db.connection, { ...DEFAULT_GENERATE_OPTIONS, ...options });
  return { db, counts };
}

export { closeDuckDb, queryRows };

/** Copies every `gen.<table>` into `<schema>.<table>`, so a later generation can be compared. */
export async function copyGenerated(connection: DuckDBConnection, schema: string): Promise<void> {
  await connection.run(`create schema if not exists ${schema}`);
  for (const table of RAW_TABLE_NAMES)
    await connection.run(
      `create or replace table ${schema}.${table} as select * from gen.${table}`,
    );
}

/** Row count and XOR of row hashes: equal for equal multisets of rows, whatever their order. */
export async function fingerprint(connection: DuckDBConnection, table: string): Promise<string> {
  const rows = await queryRows<{ f: string }>(
    connection,
    `select count(*)::varchar || ':' || coalesce(bit_xor(hash(t)), 0)::varchar as f from ${table} as t`,
  );
  return rows[0]?.f ?? "";
}

/** Rows in `left` but not in `right`, and the reverse, as counts (multiset difference). */
export async function rowDifference(
  connection: DuckDBConnection,
  left: string,
  right: string,
): Promise<{ missing: number; extra: number }> {
  const rows = await queryRows<{ missing: string; extra: string }>(
    connection,
    `select
        (select count(*) from (select * from ${left} except all select * from ${right})) as missing,
        (select count(*) from (select * from ${right} except all select * from ${left})) as extra`,
  );
  return { missing: Number(rows[0]?.missing), extra: Number(rows[0]?.extra) };
}

/** A single number from a query's first row and column. */
export async function scalar(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  const value = reader.getRows()[0]?.[0];
  return value === null || value === undefined ? Number.NaN : Number(value);
}
