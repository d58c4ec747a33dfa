import { LogicalType, TableDef } from "./tables";

/**
 * DuckDB types for the contract's logical types. TIMESTAMP maps to TIMESTAMPTZ because BigQuery's
 * TIMESTAMP is an instant; every DuckDB connection runs with `TimeZone = 'UTC'` (see
 * `functions/src/warehouse/duckdb.ts`) so `date(ts)` means the UTC day in both warehouses, and
 * Parquet files written from these columns load into BigQuery as TIMESTAMP, not DATETIME.
 */
export const DUCKDB_TYPES: Readonly<Record<LogicalType, string>> = {
  STRING: "VARCHAR",
  INT64: "BIGINT",
  FLOAT64: "DOUBLE",
  BOOL: "BOOLEAN",
  DATE: "DATE",
  TIMESTAMP: "TIMESTAMPTZ",
};

/** The column list of a `create table`, in contract order, with NOT NULL where SPEC requires a value. */
export function duckdbColumns(table: TableDef): string {
  return table.columns
    .map((c) => `${c.name} ${DUCKDB_TYPES[c.type]}${c.nullable ? "" : " not null"}`)
    .join(",\n    ");
}

/**
 * `create table if not exists <schema>.<table>` for one contract table. The primary key is
 * declared so DuckDB itself rejects a duplicate key on load, the same guarantee the
 * primary-key check gives BigQuery (which does not enforce keys).
 */
export function duckdbCreateTable(table: TableDef, schema = "raw"): string {
  return (
    `create table if not exists ${schema}.${table.name} (\n    ${duckdbColumns(table)},\n` +
    `    primary key (${table.primaryKey})\n)`
  );
}
