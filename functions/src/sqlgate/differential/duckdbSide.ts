import {
  DuckDBConnection,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBValue,
} from "@duckdb/node-api";
import { duckdbCreateTable, RAW_TABLE_LIST, RawTableName } from "../../contract";
import { toDuckDb } from "../../sql/translate";
import {
  Cell,
  ResultColumn,
  ResultTable,
  ResultType,
  timestampFromEpochMicros,
} from "../resultTable";

/**
 * The DuckDB side of a differential test: the fixture loaded into `raw.*`, each mart translated
 * with the project's own `toDuckDb` and materialised into `marts.*` / `snapshots.*` exactly as the
 * local runner would, and its rows read back as a `ResultTable`.
 */

/** Fixture rows per raw table, cells in contract column order. */
export type RawRows = Record<RawTableName, readonly (readonly Cell[])[]>;

function literal(value: Cell, type: string): string {
  if (value === null) return "null";
  if (Array.isArray(value)) throw new Error("Raw tables have no array columns");
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  const text = `'${value.replace(/'/g, "''")}'`;
  if (type === "DATE") return `date ${text}`;
  if (type === "TIMESTAMP") return `timestamptz ${text}`;
  return text;
}

/** Creates `raw`, `marts` and `snapshots` and loads the fixture into the contract's tables. */
export async function loadRawRows(connection: DuckDBConnection, rows: RawRows): Promise<void> {
  await connection.run("set TimeZone = 'UTC'");
  for (const schema of ["raw", "marts", "snapshots"]) {
    await connection.run(`create schema if not exists ${schema}`);
  }
  for (const table of RAW_TABLE_LIST) {
    await connection.run(`drop table if exists raw.${table.name}`);
    await connection.run(duckdbCreateTable(table, "raw"));
    const data = rows[table.name];
    if (data.length === 0) continue;
    const values = data
      .map((row) => `(${row.map((v, i) => literal(v, table.columns[i]!.type)).join(", ")})`)
      .join(",\n");
    await connection.run(`insert into raw.${table.name} values\n${values}`);
  }
}

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
]);

/** The BigQuery type a DuckDB column corresponds to (DECIMAL reads as FLOAT64, see compare.ts). */
export function resultType(typeId: DuckDBTypeId): ResultType {
  if (INTEGER_TYPES.has(typeId)) return "INT64";
  switch (typeId) {
    case DuckDBTypeId.BOOLEAN:
      return "BOOL";
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return "FLOAT64";
    case DuckDBTypeId.VARCHAR:
      return "STRING";
    case DuckDBTypeId.DATE:
      return "DATE";
    case DuckDBTypeId.TIMESTAMP_TZ:
      return "TIMESTAMP";
    case DuckDBTypeId.TIMESTAMP:
      return "DATETIME";
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return "ARRAY";
    default:
      return "OTHER";
  }
}

/** A DuckDB value as a comparable cell. */
export function toCell(value: DuckDBValue): Cell {
  if (value === null) return null;
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
    return value;
  }
  if (typeof value === "bigint") return Number(value);
  if (value instanceof DuckDBDateValue) return value.toString();
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    return timestampFromEpochMicros(value.micros);
  }
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBListValue) return value.items.map(toCell);
  return String(value);
}

/** Runs a query and returns its columns (with BigQuery type names) and rows. */
export async function duckDbResult(
  connection: DuckDBConnection,
  sql: string,
): Promise<ResultTable> {
  const reader = await connection.runAndReadAll(sql);
  const types = reader.columnTypes();
  const columns: ResultColumn[] = reader.columnNames().map((name, i) => ({
    name,
    type: resultType(types[i]!.typeId),
    engineType: types[i]!.toString(),
  }));
  return { columns, rows: reader.getRows().map((row) => row.map(toCell)) };
}

/**
 * Translates a mart's rendered BigQuery SQL with `toDuckDb`, materialises it as
 * `<dataset>.<name>` (so marts that read it find it) and returns its rows.
 */
export async function runMartInDuckDb(
  connection: DuckDBConnection,
  renderedSql: string,
  target: { dataset: string; name: string },
  rewrite: (duckDbSql: string) => string = (sql) => sql,
): Promise<ResultTable> {
  const duckSql = rewrite(await toDuckDb(renderedSql))
    .trim()
    .replace(/;\s*$/, "");
  const table = `${target.dataset}.${target.name}`;
  await connection.run(`create or replace table ${table} as\n${duckSql}`);
  return duckDbResult(connection, `select * from ${table}`);
}
