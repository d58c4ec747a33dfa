import type { ColumnDef, LogicalType } from "./tables";

/**
 * A column as every table the project declares describes it (the raw contract, the bookkeeping
 * tables, the CLV and significance-test tables): the DuckDB DDL, the BigQuery schema, the row
 * validation and the docs all read these fields.
 */
export function column(
  name: string,
  type: LogicalType,
  description: string,
  nullable = false,
  allowed?: readonly string[],
): ColumnDef {
  return { name, type, description, nullable, ...(allowed ? { allowed } : {}) };
}
