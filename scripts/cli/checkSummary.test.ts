import type { CheckResult } from "../../functions/src/checks";
import { formatCheckSummary } from "./checkSummary";

const result = (name: string, violations: number): CheckResult => ({
  name,
  description: `${name} holds`,
  violations,
  sample: [],
  seconds: 0.125,
});

describe("formatCheckSummary", () => {
  it("lists every check as PASS or FAIL with its rows, then the totals, as dbt test does", () => {
    const text = formatCheckSummary([
      result("pk_users", 0),
      result("funnel_step_order", 3),
      result("order_id_only_on_purchase", 1),
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toBe("Data-quality checks (3)");
    expect(lines[1]).toMatch(/^ {2}1 of 3 {2}PASS {2}pk_users \.+ +0 rows {2}0\.13s$/);
    expect(lines[2]).toMatch(/^ {2}2 of 3 {2}FAIL {2}funnel_step_order \.+ +3 rows {2}0\.13s$/);
    expect(lines[3]).toMatch(/FAIL {2}order_id_only_on_purchase \.+ +1 row {3}/);
    expect(lines[4]).toBe("Done. PASS=1 FAIL=2 TOTAL=3");
    // The row counts line up in one column.
    expect(new Set(lines.slice(1, 4).map((l) => l.indexOf(" row"))).size).toBe(1);
  });

  it("lists a check the source cannot answer as SKIP with its reason, and counts it apart", () => {
    const skipped = {
      ...result("funnel_step_order", 0),
      skipped: "not in this source (needs events)",
    };
    const lines = formatCheckSummary([result("pk_users", 0), skipped]).split("\n");
    expect(lines[2]).toMatch(
      /^ {2}2 of 2 {2}SKIP {2}funnel_step_order \.+ not in this source \(needs events\)$/,
    );
    expect(lines[3]).toBe("Done. PASS=1 FAIL=0 SKIP=1 TOTAL=2");
  });
});
