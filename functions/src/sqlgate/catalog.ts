import { TypeKind } from "@fivetrandevelopers/zetasql";
import type { LanguageOptionsProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/LanguageOptionsProto";
import type { SimpleCatalogProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/SimpleCatalogProto";
import type { SimpleTableProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/SimpleTableProto";
import type { TypeKind__Output } from "@fivetrandevelopers/zetasql/lib/types/zetasql/TypeKind";
import type { TypeProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/TypeProto";
import { CLV_TABLES } from "../clv/clvTables";
import { LogicalType, RAW_TABLE_LIST } from "../contract";

/**
 * The catalog the GoogleSQL analyzer resolves names against: the contract's raw tables, plus the
 * output schemas of marts as the gate learns them, so marts that read marts are checked too.
 */

export type Dataset = "raw" | "marts" | "snapshots";

export interface CatalogColumn {
  readonly name: string;
  readonly type: TypeProto;
}

/** A table as the analyzer sees it: `dataset.name` with typed columns. */
export interface CatalogTable {
  readonly dataset: Dataset;
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  /**
   * Column positions of a unique key. Only the evaluator needs it: for UPDATE and DELETE it names
   * the changed rows by their key, so a table modified by DML must declare one.
   */
  readonly primaryKey?: readonly number[];
}

/** The contract's logical types are BigQuery's names; these are the analyzer's type kinds. */
export const TYPE_KINDS: Readonly<Record<LogicalType, TypeKind__Output>> = {
  STRING: TypeKind.TYPE_STRING,
  INT64: TypeKind.TYPE_INT64,
  FLOAT64: TypeKind.TYPE_DOUBLE,
  BOOL: TypeKind.TYPE_BOOL,
  DATE: TypeKind.TYPE_DATE,
  TIMESTAMP: TypeKind.TYPE_TIMESTAMP,
};

/** The raw tables of the contract, in dataset `raw`. */
export function contractTables(): CatalogTable[] {
  return RAW_TABLE_LIST.map((table) => ({
    dataset: "raw" as const,
    name: table.name,
    columns: table.columns.map((c) => ({ name: c.name, type: { typeKind: TYPE_KINDS[c.type] } })),
  }));
}

/**
 * The tables computed in code rather than by a query (the CLV step's `snapshots.clv_daily` and
 * `snapshots.clv_fit`), from their one declaration, so the marts that read them are checked too.
 */
export function codeWrittenTables(): CatalogTable[] {
  return CLV_TABLES.map((table) => ({
    dataset: table.dataset,
    name: table.name,
    columns: table.columns.map((c) => ({ name: c.name, type: { typeKind: TYPE_KINDS[c.type] } })),
  }));
}

/** `raw.events`, the name SQL uses and the key the evaluator's table content is stored under. */
export function qualifiedName(table: Pick<CatalogTable, "dataset" | "name">): string {
  return `${table.dataset}.${table.name}`;
}

function tableProto(name: string, table: CatalogTable): SimpleTableProto {
  return {
    name,
    column: table.columns.map((c) => ({ name: c.name, type: c.type })),
    ...(table.primaryKey ? { primaryKeyColumnIndex: [...table.primaryKey] } : {}),
  };
}

/**
 * A SimpleCatalog in which `raw.events`, `` `raw`.`events` `` and `` `raw.events` `` all resolve, as
 * they do in BigQuery: each table is registered twice, in a nested catalog per dataset and flat
 * under its dotted name. (The reference evaluator only feeds rows to flat tables; see evaluator.ts.)
 */
export function simpleCatalog(
  tables: readonly CatalogTable[],
  languageOptions: LanguageOptionsProto,
): SimpleCatalogProto {
  const datasets = [...new Set(tables.map((t) => t.dataset))];
  return {
    name: "bigquery",
    table: tables.map((t) => tableProto(qualifiedName(t), t)),
    catalog: datasets.map((dataset) => ({
      name: dataset,
      table: tables.filter((t) => t.dataset === dataset).map((t) => tableProto(t.name, t)),
    })),
    builtinFunctionOptions: { languageOptions },
  };
}
