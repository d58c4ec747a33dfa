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
 * value. With `plainFactIds`, a fact's string identifiers (its key, and references to another
 * fact's key) are stored uncompressed: they are unique or nearly so per row, and DuckDB's string
 * compression analysis of them was 0.8 s of a 4.2 s warehouse load at reference scale, to save
 * 53 MB. Low-cardinality strings (user ids, types, devices) still compress.
 */
export function duckdbColumns(
  table: TableDef | { readonly columns: readonly ColumnDef[] },
  options: { plainFactIds?: boolean } = {},
): string {
  return table.columns
    .map((c) => {
      const plain = options.plainFactIds && "kind" in table && isFactIdentifier(table, c.name);
      return `${c.name} ${DUCKDB_TYPES[c.type]}${plain ? " using compression uncompressed" : ""}${c.nullable ? "" : " not null"}`;
    })
    .join(",\n    ");
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
