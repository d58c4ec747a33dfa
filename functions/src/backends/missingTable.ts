/**
 * Whether a warehouse error says a table does not exist, as DuckDB ("... does not exist!") and
 * BigQuery ("Not found: Table ...") word it: callers that may run before a table's first write
 * (the RFM history, pruning, the report's check for its marts) treat it as "nothing there yet".
 */
export function isMissingTable(error: unknown): boolean {
  return /does not exist|not found/i.test(error instanceof Error ? error.message : String(error));
}
