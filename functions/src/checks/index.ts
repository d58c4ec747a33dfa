import type { Warehouse } from "../backends/types";
import { fileChecks } from "./checkFiles";
import { CheckDefinition, contractChecks } from "./contractChecks";
import { CheckResult, RunChecksOptions, runCheckDefinitions } from "./runChecks";

/**
 * Data-quality checks on the raw tables. Each check is a BigQuery-dialect `select` returning the
 * violating rows (none = pass): hand-written behavioural rules in `sql/checks/*.sql`, and the
 * generic rules (primary keys, foreign keys, closed value sets) generated from the data contract.
 * The same SQL runs on BigQuery and, translated, on DuckDB through the Warehouse interface.
 */
export type { CheckDefinition } from "./contractChecks";
export { contractChecks } from "./contractChecks";
export { fileChecks } from "./checkFiles";
export { ChecksFailedError, assertChecksPass, countAndSampleSql, failureReport } from "./runChecks";
export type { CheckResult, RunChecksOptions } from "./runChecks";

/** Every check, files first (by name), then the contract's; names are unique. */
export function listChecks(): { name: string; description: string; sql: string }[] {
  return allChecks().map(({ name, description, sql }) => ({ name, description, sql }));
}

function allChecks(): CheckDefinition[] {
  const checks = [...fileChecks(), ...contractChecks()];
  const seen = new Set<string>();
  for (const c of checks) {
    if (seen.has(c.name)) throw new Error(`Two data-quality checks are named "${c.name}"`);
    seen.add(c.name);
  }
  return checks;
}

/**
 * Runs every check against the warehouse's raw tables and returns all results; pair it with
 * `assertChecksPass` to stop a pipeline on any violation.
 */
export async function runChecks(
  warehouse: Warehouse,
  options: RunChecksOptions = {},
): Promise<CheckResult[]> {
  return runCheckDefinitions(warehouse, allChecks(), options);
}
