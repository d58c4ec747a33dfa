import type { Warehouse } from "../backends/types";
import { fileChecks } from "./checkFiles";
import { CheckDefinition, contractChecks } from "./contractChecks";
import {
  CheckResult,
  countAndSampleSql,
  DEFAULT_SAMPLE_SIZE,
  RunChecksOptions,
  runCheckDefinitions,
} from "./runChecks";
import { checksForSource } from "./sourceScope";

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
export { CHECK_SOURCE_NEEDS, checksForSource, type SkippedCheck } from "./sourceScope";

/** Every check, files first (by name), then the contract's; names are unique. */
export function listChecks(): { name: string; description: string; sql: string }[] {
  return allChecks().map(({ name, description, sql }) => ({ name, description, sql }));
}

/**
 * The query each check sends with the default sample size, every check whatever the source: the
 * texts a run will translate, so that they can be translated ahead (`scripts/laterStages.ts`).
 */
export function checkQueryTexts(): string[] {
  return allChecks().map((c) => countAndSampleSql(c.sql, DEFAULT_SAMPLE_SIZE));
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
 * Runs every check against the warehouse's raw tables and returns all results, in the checks'
 * order; pair it with `assertChecksPass` to stop a pipeline on any violation. The data says which
 * raw tables its source lacks (the world manifest); the checks that need one are not run and are
 * returned with `skipped` saying so (`sourceScope.ts`).
 */
export async function runChecks(
  warehouse: Warehouse,
  options: RunChecksOptions = {},
): Promise<CheckResult[]> {
  const checks = allChecks();
  const absent = (await warehouse.readManifest())?.absentTables ?? [];
  const { run, skipped } = checksForSource(checks, absent);
  const results = await runCheckDefinitions(warehouse, run, options);
  const skippedResults = skipped.map((s): CheckResult => ({
    name: s.name,
    description: s.description,
    violations: 0,
    sample: [],
    seconds: 0,
    skipped: `not in this source (needs ${s.missing.join(", ")})`,
  }));
  const byName = new Map([...results, ...skippedResults].map((r) => [r.name, r]));
  return checks.map((c) => byName.get(c.name)!);
}
