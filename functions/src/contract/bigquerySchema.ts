import { ColumnDef, LogicalType, TableDef } from "./tables";

/** One field of a BigQuery table schema, as the REST API, load jobs and `gcp.bigquery.Table` take it. */
export interface BigQueryField {
  name: string;
  type: LogicalType;
  mode: "REQUIRED" | "NULLABLE";
  description: string;
}

/** The fields of any declared table: the contract's raw tables, or tables computed in code. */
export function bigQuerySchema(table: { readonly columns: readonly ColumnDef[] }): BigQueryField[] {
  return table.columns.map((c) => ({
    name: c.name,
    type: c.type,
    mode: c.nullable ? "NULLABLE" : "REQUIRED",
    description: c.description,
  }));
}

/** The schema as the JSON string `gcp.bigquery.Table.schema` expects. */
export function bigQuerySchemaJson(table: TableDef): string {
  return JSON.stringify(bigQuerySchema(table));
}
