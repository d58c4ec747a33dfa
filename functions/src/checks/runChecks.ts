import type { Warehouse } from "../backends/types";
import { forEachLimited } from "../forEachLimited";
import type { CheckDefinition } from "./contractChecks";

/** The outcome of one check: how many rows violate it and a few of them to look at. */
export interface CheckResult {
  name: string;
  description: string;
  violations: number;
  sample: Record<string, unknown>[];
  seconds: number;
  /** Set when the check did not run: the source lacks a table it needs (`sourceScope.ts`). */
  skipped?: string;
}

export interface RunChecksOptions {
  /** Violating rows kept per failing check (default `DEFAULT_SAMPLE_SIZE`); the count is exact. */
  sampleSize?: number;
  /** Called as each check starts, with its 1-based position among `n`. */
  onProgress?: (name: string, i: number, n: number) => void;
}

const COUNT_COLUMN = "check_violation_count";

/** Violating rows kept per failing check unless `sampleSize` says otherwise. */
export const DEFAULT_SAMPLE_SIZE = 5;

/**
 * Wraps a check so one query returns both the exact number of violations and a bounded sample:
 * a check may match millions of rows, and only a handful should ever travel to the client. The
 * limit lives here rather than in each check so the check files stay plain "select the bad rows".
 */
export function countAndSampleSql(checkSql: string, sampleSize: number): string {
  const body = checkSql.trim().replace(/;\s*$/, "");
  return (
    `select violations.*, count(*) over () as ${COUNT_COLUMN}\n` +
    `from (\n${body}\n) as violations\n` +
    `limit ${Math.max(1, Math.floor(sampleSize))}`
  );
}

/**
 * Checks a warehouse answers at once: the checks are independent reads, BigQuery runs each as a
 * job with a second or more of latency, and DuckDB answers small ones faster side by side.
 */
const CONCURRENT_CHECKS = 4;

/**
 * DuckDB's error when a query needs more memory than its limit leaves beside the queries running
 * with it. Side by side, the checks over the largest tables can need more than the warehouse's
 * memory limit together (at ten times the reference users, 19M events, the primary key of the
 * events ran out at 384MB and at 512MB beside another check: the DuckDB warehouse answers two
 * queries at a time) while each fits alone (DuckDB spills what it can to disk).
 */
const OUT_OF_MEMORY = /Out of Memory Error/;

/**
 * Runs the checks through the warehouse, several at a time, and reports every result in the
 * checks' order, passing or not, so a caller sees all failures at once. A check that runs out of
 * memory beside others runs again alone once the others are done; one that cannot run at all
 * (bad SQL, missing table, out of memory alone) is an error naming the check.
 */
export async function runCheckDefinitions(
  warehouse: Warehouse,
  checks: readonly CheckDefinition[],
  options: RunChecksOptions = {},
): Promise<CheckResult[]> {
  const sampleSize = options.sampleSize ?? DEFAULT_SAMPLE_SIZE;
  const run = async (
    check: CheckDefinition,
    index: number,
    again = false,
  ): Promise<CheckResult> => {
    // A check run again alone was reported when it first started; progress never goes back.
    if (!again) options.onProgress?.(check.name, index + 1, checks.length);
    const started = performance.now();
    let rows: Record<string, unknown>[];
    try {
      rows = await warehouse.query(countAndSampleSql(check.sql, sampleSize));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Data-quality check "${check.name}" could not run: ${reason}`, {
        cause: error,
      });
    }
    const violations = rows.length === 0 ? 0 : Number(rows[0]![COUNT_COLUMN]);
    const sample = rows.slice(0, sampleSize).map((row) => {
      const rest = { ...row };
      delete rest[COUNT_COLUMN];
      return rest;
    });
    return {
      name: check.name,
      description: check.description,
      violations,
      sample,
      seconds: (performance.now() - started) / 1000,
    };
  };
  const together = await forEachLimited(checks, CONCURRENT_CHECKS, (check, index) =>
    run(check, index).catch((error: Error) => {
      if (OUT_OF_MEMORY.test(error.message)) return null;
      throw error;
    }),
  );
  const results: CheckResult[] = [];
  for (const [index, result] of together.entries())
    results.push(result ?? (await run(checks[index]!, index, true)));
  return results;
}

/** Thrown when any check found violations; `failures` holds each failing check's result. */
export class ChecksFailedError extends Error {
  constructor(readonly failures: readonly CheckResult[]) {
    super(failureReport(failures));
    this.name = "ChecksFailedError";
  }
}

/** The message of a failure: every failing check by name, its assertion and sample rows. */
export function failureReport(failures: readonly CheckResult[]): string {
  const lines = [
    `${failures.length} data-quality check${failures.length === 1 ? "" : "s"} failed:`,
  ];
  for (const f of failures) {
    lines.push("", `  ${f.name}: ${f.violations} violating row${f.violations === 1 ? "" : "s"}`);
    lines.push(`    ${f.description}`);
    lines.push(`    sample (${f.sample.length} of ${f.violations}):`);
    for (const row of f.sample) lines.push(`      ${JSON.stringify(row)}`);
  }
  return lines.join("\n");
}

/** Fails loudly when any check returned rows, so a pipeline never goes on with bad raw data. */
export function assertChecksPass(results: readonly CheckResult[]): void {
  const failures = results.filter((r) => r.violations > 0);
  if (failures.length > 0) throw new ChecksFailedError(failures);
}
