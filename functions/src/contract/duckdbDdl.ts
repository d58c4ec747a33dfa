import { ColumnDef, LogicalType, RAW_TABLES, TableDef } from "./tables";

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

/**
 * The column list of a `create table`, in contract order, with NOT NULL where SPEC requires a
 * value. With `chosenCompression`, each string column of a fact names its compression
 * (`factStringCompression`) instead of leaving DuckDB to try every method on every segment.
 */
export function duckdbColumns(
  table: TableDef | { readonly columns: readonly ColumnDef[] },
  options: { chosenCompression?: boolean } = {},
): string {
  return table.columns
    .map((c) => {
      const chosen =
        options.chosenCompression && "kind" in table ? factStringCompression(table, c.name) : null;
      return `${c.name} ${DUCKDB_TYPES[c.type]}${chosen ? ` using compression ${chosen}` : ""}${c.nullable ? "" : " not null"}`;
    })
    .join(",\n    ");
}

/**
 * How the warehouse stores a string column of a fact table, chosen here because DuckDB's own
 * choice analyses every segment with each method (dictionary, FSST, uncompressed) on every load.
 * A fact's identifiers (its key, references to another fact's key) are unique or nearly so per
 * row: stored uncompressed, which spared 0.8 s of a 4.2 s two-year load for 53 MB more. Its
 * other strings (user ids, types, devices, products, promotions) repeat: a dictionary, the method
 * DuckDB picked for most of their segments anyway; naming it took the events' load from 2.0-2.1 s
 * to 1.7 s and the sessions' from 1.0 s to 0.8 s (two runs each), at the same file size. `null`
 * for other columns and dimension tables (small, and their keys are unique): DuckDB chooses.
 */
export function factStringCompression(
  table: TableDef,
  column: string,
): "uncompressed" | "dictionary" | null {
  if (table.kind !== "fact" || table.columns.find((c) => c.name === column)?.type !== "STRING")
    return null;
  return isFactIdentifier(table, column) ? "uncompressed" : "dictionary";
}

/**
 * A select list giving a table's columns the contract's DuckDB types, in contract order: what a
 * view or a query must return to read exactly like a table of the contract.
 */
export function duckdbCastColumns(table: TableDef): string {
  return table.columns
    .map((c) => `cast(${c.name} as ${DUCKDB_TYPES[c.type]}) as ${c.name}`)
    .join(", ");
}

/** A fact table's string key, or a string column referencing another fact's key. */
export function isFactIdentifier(table: TableDef, column: string): boolean {
  if (table.columns.find((c) => c.name === column)?.type !== "STRING") return false;
  if (table.kind === "fact" && table.primaryKey === column) return true;
  return table.foreignKeys.some(
    (fk) => fk.column === column && RAW_TABLES[fk.references.table].kind === "fact",
  );
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
