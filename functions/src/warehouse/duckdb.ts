import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface DuckDbOptions {
  /** DuckDB's `memory_limit`, for example "2GB"; large generations spill instead of growing. */
  memoryLimit?: string;
  threads?: number;
  /**
   * Open the file read-only (DuckDB's `access_mode`): every write is refused by DuckDB itself,
   * and other read-only processes may open the same file at the same time.
   */
  readOnly?: boolean;
}

/**
 * Opens a DuckDB database (a file path, or ":memory:") with the settings every part of the stack
 * relies on: UTC as the session time zone, so `date(ts)` on a TIMESTAMPTZ is the UTC day exactly
 * as in BigQuery, and insertion order preserved so written files are reproducible.
 */
export async function openDuckDb(
  path: string,
  options: DuckDbOptions = {},
): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  // TimeZone lives in the icu extension, which is built in but only loaded on first use, so it is
  // set on the connection rather than in the instance config.
  const config: Record<string, string> = { preserve_insertion_order: "true" };
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  if (options.threads) config.threads = String(options.threads);
  if (options.readOnly) config.access_mode = "READ_ONLY";
  const instance = await DuckDBInstance.create(path, config);
  const connection = await instance.connect();
  await connection.run("set TimeZone = 'UTC'");
  return { instance, connection };
}

/** Runs a query and returns its rows as plain JSON-safe objects (dates and timestamps as strings). */
export async function queryRows<T = Record<string, unknown>>(
  connection: DuckDBConnection,
  sql: string,
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as unknown as T[];
}

/** Closes a connection and its instance, releasing the database file. */
export function closeDuckDb(db: { instance: DuckDBInstance; connection: DuckDBConnection }): void {
  db.connection.closeSync();
  db.instance.closeSync();
}
