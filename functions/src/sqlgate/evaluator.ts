import { TypeKind, ZetaSQLClient } from "@fivetrandevelopers/zetasql";
import type { EvaluateQueryRequest } from "@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/EvaluateQueryRequest";
import type { EvaluateModifyRequest } from "@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/EvaluateModifyRequest";
import type { EvaluateModifyResponse__Output } from "@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/EvaluateModifyResponse";
import type { EvaluateQueryResponse__Output } from "@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/EvaluateQueryResponse";
import type { TableContent } from "@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/TableContent";
import type { TypeProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/TypeProto";
import type { ValueProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/ValueProto";
import type { ValueProto__Output } from "@fivetrandevelopers/zetasql/lib/types/zetasql/ValueProto";
import { mapOutsideCommentsAndStrings } from "../sql/render";
import { analyzerOptions, cleanType } from "./analyzer";
import { CatalogColumn, CatalogTable, qualifiedName, simpleCatalog } from "./catalog";
import {
  Cell,
  dateFromEpochDays,
  epochDaysFromDate,
  epochMicrosFromTimestamp,
  ResultColumn,
  ResultTable,
  ResultType,
  timestampFromEpochMicros,
} from "./resultTable";
import { AnalyzerServer } from "./server";

/**
 * The GoogleSQL reference evaluator as an oracle: it runs a query over rows we give it with
 * BigQuery's semantics (date arithmetic, integer division rules, NULL handling, window frames),
 * so DuckDB's answer for the translated SQL can be checked against it on small fixtures.
 *
 * Limits seen here: it evaluates deterministic functions only (APPROX_QUANTILES and friends are
 * "Unsupported built-in function"), and it feeds rows only to top-level catalog tables, so
 * dataset-qualified names are rewritten to the backquoted flat form (`raw.events` ->
 * `` `raw.events` ``) for evaluation only.
 */

/** A table with rows: cells in column order, values as in `ResultTable`. */
export interface TableRows {
  readonly table: CatalogTable;
  readonly rows: readonly (readonly Cell[])[];
}

const TYPE_NAMES: Record<number, ResultType> = {
  [TypeKind.TYPE_STRING]: "STRING",
  [TypeKind.TYPE_INT64]: "INT64",
  [TypeKind.TYPE_DOUBLE]: "FLOAT64",
  [TypeKind.TYPE_BOOL]: "BOOL",
  [TypeKind.TYPE_DATE]: "DATE",
  [TypeKind.TYPE_TIMESTAMP]: "TIMESTAMP",
  [TypeKind.TYPE_DATETIME]: "DATETIME",
  [TypeKind.TYPE_NUMERIC]: "NUMERIC",
  [TypeKind.TYPE_ARRAY]: "ARRAY",
};

/** The BigQuery name of an analyzer type. */
export function typeName(type: TypeProto | null | undefined): ResultType {
  return TYPE_NAMES[Number(type?.typeKind ?? 0)] ?? "OTHER";
}

/** `raw.events` -> `` `raw.events` `` outside comments and strings: the evaluator's table names. */
export function flatTableNames(sql: string): string {
  return mapOutsideCommentsAndStrings(sql, (code) =>
    code.replace(/(?<![\w.`])(raw|marts|snapshots)\.([A-Za-z_]\w*)/g, "`$1.$2`"),
  );
}

function encodeCell(value: Cell, type: TypeProto): ValueProto {
  if (value === null) return {};
  switch (Number(type.typeKind)) {
    case TypeKind.TYPE_STRING:
      return { stringValue: String(value) };
    case TypeKind.TYPE_INT64:
      return { int64Value: Number(value) };
    case TypeKind.TYPE_DOUBLE:
      return { doubleValue: Number(value) };
    case TypeKind.TYPE_BOOL:
      return { boolValue: Boolean(value) };
    case TypeKind.TYPE_DATE:
      return { dateValue: epochDaysFromDate(String(value)) };
    case TypeKind.TYPE_TIMESTAMP: {
      const micros = epochMicrosFromTimestamp(String(value));
      const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
      const nanos = Number(micros - seconds * 1_000_000n) * 1000;
      return { timestampValue: { seconds: seconds.toString(), nanos } };
    }
    case TypeKind.TYPE_ARRAY: {
      const element = type.arrayType?.elementType ?? { typeKind: TypeKind.TYPE_STRING };
      return { arrayValue: { element: (value as Cell[]).map((v) => encodeCell(v, element)) } };
    }
    default:
      throw new Error(`Cannot give the evaluator a value of type kind ${String(type.typeKind)}`);
  }
}

function decodeCell(cell: ValueProto__Output | undefined, type: TypeProto): Cell {
  if (!cell || !cell.value) return null;
  switch (cell.value) {
    case "stringValue":
      return cell.stringValue ?? null;
    case "int64Value":
      return Number(cell.int64Value);
    case "doubleValue":
      return cell.doubleValue ?? null;
    case "boolValue":
      return cell.boolValue ?? null;
    case "dateValue":
      return dateFromEpochDays(cell.dateValue ?? 0);
    case "timestampValue": {
      const ts = cell.timestampValue!;
      return timestampFromEpochMicros(
        BigInt(ts.seconds.toString()) * 1_000_000n + BigInt(Math.trunc(ts.nanos / 1000)),
      );
    }
    case "arrayValue": {
      const element = type.arrayType?.elementType ?? {};
      return (cell.arrayValue?.element ?? []).map((e) => decodeCell(e, element));
    }
    default:
      throw new Error(`The evaluator returned a ${cell.value}, which the harness does not read`);
  }
}

function tableContent(input: TableRows): TableContent {
  const types = input.table.columns.map((c) => c.type);
  return {
    tableData: {
      row: input.rows.map((row) => ({
        cell: row.map((value, i) => encodeCell(value, types[i]!)),
      })),
    },
  };
}

/**
 * Evaluates a query (parameters already rendered as literals) over the given tables. Returns the
 * rows and the BigQuery output schema; also the schema as catalog columns, so the result can be
 * fed to a mart that reads this one.
 */
export async function evaluateQuery(
  server: AnalyzerServer,
  sql: string,
  tables: readonly TableRows[],
): Promise<ResultTable & { catalogColumns: CatalogColumn[] }> {
  const request: EvaluateQueryRequest = evaluatorRequest(server, sql, tables);
  const response = await new Promise<EvaluateQueryResponse__Output>((resolve, reject) => {
    ZetaSQLClient.API.evaluateQuery(request, (error, result) => {
      if (error) reject(new Error(`Reference evaluator: ${error.details ?? error.message}`));
      else if (!result) reject(new Error("Reference evaluator returned nothing"));
      else resolve(result);
    });
  });
  const outputs = response.prepared?.columns ?? [];
  const catalogColumns: CatalogColumn[] = outputs.map((c) => ({
    name: c.name,
    type: cleanType(c.type),
  }));
  const columns: ResultColumn[] = catalogColumns.map((c) => ({
    name: c.name,
    type: typeName(c.type),
    engineType: typeName(c.type),
  }));
  const rows = (response.content?.tableData?.row ?? []).map((row) =>
    catalogColumns.map((c, i) => decodeCell(row.cell[i], c.type)),
  );
  return { columns, rows, catalogColumns };
}

/** The request both evaluator calls send: the SQL, a catalog of the tables, and their rows. */
function evaluatorRequest(server: AnalyzerServer, sql: string, tables: readonly TableRows[]) {
  const content: Record<string, TableContent> = {};
  for (const t of tables) content[qualifiedName(t.table)] = tableContent(t);
  return {
    sql: flatTableNames(sql),
    simpleCatalog: simpleCatalog(
      tables.map((t) => t.table),
      server.languageOptions,
    ),
    tableContent: content,
    options: analyzerOptions(server.languageOptions),
  };
}

/**
 * Applies one DML statement (INSERT, UPDATE, DELETE, MERGE; parameters rendered) to `target`'s
 * rows with the reference evaluator and returns the table's rows afterwards. `target.table` must
 * declare a `primaryKey`: the evaluator names updated and deleted rows by it. MERGE with an
 * INSERT clause is untested here (an INSERT into a keyed table crashes the service).
 */
export async function evaluateModify(
  server: AnalyzerServer,
  sql: string,
  target: TableRows,
  others: readonly TableRows[],
): Promise<Cell[][]> {
  const key = target.table.primaryKey;
  if (!key || key.length === 0) {
    throw new Error(`${qualifiedName(target.table)} needs a primaryKey to be modified`);
  }
  // The local service crashes on an INSERT into a table that declares a primary key (seen with
  // 1.13.0), and an INSERT needs none: it only reports the new rows.
  const isInsert = /^\s*insert\b/i.test(sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, " "));
  const sent = isInsert ? { ...target, table: { ...target.table, primaryKey: undefined } } : target;
  const request: EvaluateModifyRequest = evaluatorRequest(server, sql, [sent, ...others]);
  const response = await new Promise<EvaluateModifyResponse__Output>((resolve, reject) => {
    ZetaSQLClient.API.evaluateModify(request, (error, result) => {
      if (error) reject(new Error(`Reference evaluator: ${error.details ?? error.message}`));
      else if (!result) reject(new Error("Reference evaluator returned nothing"));
      else resolve(result);
    });
  });
  const types = target.table.columns.map((c) => c.type);
  const keyOf = (cells: readonly Cell[]): string => JSON.stringify(key.map((i) => cells[i]));
  const rows = new Map(target.rows.map((r) => [keyOf(r), [...r]]));
  for (const change of response.content) {
    const cells = change.cell.map((c, i) => decodeCell(c, types[i]!));
    const oldKey = JSON.stringify(
      change.oldPrimaryKey.map((c, i) => decodeCell(c, types[key[i]!]!)),
    );
    const operation = String(change.operation);
    if (operation === "INSERT" || operation === "1") rows.set(keyOf(cells), cells);
    else if (operation === "DELETE" || operation === "2") rows.delete(oldKey);
    else if (operation === "UPDATE" || operation === "3") {
      rows.delete(oldKey);
      rows.set(keyOf(cells), cells);
    } else throw new Error(`Unknown row operation ${operation} from the evaluator`);
  }
  return [...rows.values()];
}
