import type { DuckDBConnection } from "@duckdb/node-api";
import type { Warehouse } from "../../backends/types";
import { renderParams, SqlParam } from "../../sql/render";
import { toDuckDb } from "../../sql/translate";
import { queryRows } from "../../warehouse/duckdb";

/**
 * A query-only Warehouse over one DuckDB connection, for tests of the checks: it renders
 * parameters, translates BigQuery SQL with toDuckDb and runs it, which is all the checks use.
 * Loading and materialising belong to the real DuckDB warehouse and throw here.
 */
export function duckdbQueryWarehouse(connection: DuckDBConnection): Warehouse {
  const unsupported = (what: string) => () =>
    Promise.reject(new Error(`${what} is not supported by the query-only test warehouse`));
  return {
    kind: "duckdb",
    ensureRawTables: unsupported("ensureRawTables"),
    replacePartitions: unsupported("replacePartitions"),
    materialize: unsupported("materialize"),
    async query<T = Record<string, unknown>>(sql: string, params: Record<string, SqlParam> = {}) {
      return queryRows<T>(connection, await toDuckDb(renderParams(sql, params)));
    },
    async execute(sql: string, params: Record<string, SqlParam> = {}) {
      await connection.run(await toDuckDb(renderParams(sql, params)));
    },
    close: () => Promise.resolve(),
  };
}
