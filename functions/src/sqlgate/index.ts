/**
 * The SQL gate and the BigQuery-semantics oracle, both on the offline GoogleSQL (ZetaSQL) service.
 *
 * Gate: `startAnalyzer()`, then `runGate(server, [...fileSources(), ...contractCheckSources()])`,
 * then `stopAnalyzer()`; `formatIssue` prints `file:line:col message`.
 * Oracle: `evaluateQuery(server, sql, tables)` runs a query with BigQuery semantics over given rows;
 * `differential/harness.ts` compares every mart's DuckDB result with it.
 */
export { analyzerOptions, QUERY_PARAMETERS, SqlAnalyzer } from "./analyzer";
export type { AnalysisResult, SqlIssue } from "./analyzer";
export { contractTables, simpleCatalog, TYPE_KINDS } from "./catalog";
export type { CatalogColumn, CatalogTable } from "./catalog";
export { evaluateModify, evaluateQuery } from "./evaluator";
export type { TableRows } from "./evaluator";
export { bannedConstructIssues, formatIssue, runGate } from "./gate";
export type { GateResult } from "./gate";
export type { Cell, ResultTable } from "./resultTable";
export { startAnalyzer, stopAnalyzer } from "./server";
export type { AnalyzerServer } from "./server";
export { contractCheckSources, fileSources } from "./sqlSources";
export type { SqlSource } from "./sqlSources";
