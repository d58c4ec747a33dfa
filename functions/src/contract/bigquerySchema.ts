import { LogicalType, TableDef } from "./tables";

/** One field of a BigQuery table schema, as the REST API, load jobs and `gcp.bigquery.Table` take it. */
export interface BigQueryField {
  name: string;
  type: LogicalType;
  mode: "REQUIRED" | "NULLABLE";
  description: string;
}

/** Any table defined by its columns: the raw contract's, or the bookkeeping tables (metaTables.ts). */
export function bigQuerySchema(table: Pick<TableDef, "columns">): BigQueryField[] {
  return table.columns.map((c) => ({
    name: c.name,
    type: c.type,
    mode: c.nullable ? "NULLABLE" : "REQUIRED",
    description: c.description,
  }));
}

/** The schema as the JSON string `gcp.bigquery.Table.schema` expects. */
export function bigQuerySchemaJson(table: Pick<TableDef, "columns">): string {
  return JSON.stringify(bigQuerySchema(table));
}
