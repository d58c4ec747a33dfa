import type { CheckResult } from "../../functions/src/checks";

/**
 * The data-quality checks as `dbt test` reports its tests: one line per check, PASS or FAIL with
 * the number of violating rows and its time, then the totals. A passing run says what passed,
 * not only that something took 0.4 s.
 */
export function formatCheckSummary(results: readonly CheckResult[]): string {
  const width = Math.max(20, ...results.map((r) => r.name.length));
  const failed = results.filter((r) => r.violations > 0).length;
  const lines = [`Data-quality checks (${results.length})`];
  results.forEach((r, i) => {
    const status = r.violations > 0 ? "FAIL" : "PASS";
    const rows = `${r.violations.toLocaleString("en-US").padStart(9)} row${r.violations === 1 ? " " : "s"}`;
    const position = `${String(i + 1).padStart(String(results.length).length)} of ${results.length}`;
    lines.push(
      `  ${position}  ${status}  ${`${r.name} `.padEnd(width + 2, ".")} ${rows}  ${r.seconds.toFixed(2)}s`,
    );
  });
  lines.push(`Done. PASS=${results.length - failed} FAIL=${failed} TOTAL=${results.length}`);
  return lines.join("\n");
}
