import type { CheckResult } from "../../functions/src/checks";

/**
 * The data-quality checks as `dbt test` reports its tests: one line per check, PASS or FAIL with
 * the number of violating rows and its time, then the totals. A passing run says what passed,
 * not only that something took 0.4 s.
 */
export function formatCheckSummary(results: readonly CheckResult[]): string {
  const width = Math.max(20, ...results.map((r) => r.name.length));
  const failed = results.filter((r) => r.violations > 0).length;
  const skipped = results.filter((r) => r.skipped !== undefined).length;
  const lines = [`Data-quality checks (${results.length})`];
  results.forEach((r, i) => {
    const position = `${String(i + 1).padStart(String(results.length).length)} of ${results.length}`;
    const name = `${r.name} `.padEnd(width + 2, ".");
    if (r.skipped !== undefined) {
      lines.push(`  ${position}  SKIP  ${name} ${r.skipped}`);
      return;
    }
    const status = r.violations > 0 ? "FAIL" : "PASS";
    const rows = `${r.violations.toLocaleString("en-US").padStart(9)} row${r.violations === 1 ? " " : "s"}`;
    lines.push(`  ${position}  ${status}  ${name} ${rows}  ${r.seconds.toFixed(2)}s`);
  });
  // As dbt test: SKIP is counted only when a check was skipped.
  const pass = results.length - failed - skipped;
  lines.push(
    `Done. PASS=${pass} FAIL=${failed}${skipped > 0 ? ` SKIP=${skipped}` : ""} TOTAL=${results.length}`,
  );
  return lines.join("\n");
}
