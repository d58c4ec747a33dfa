import { mapOutsideCommentsAndStrings, queryParameters } from "../sql/render";
import { readSql } from "../sql/sqlFiles";
import { MARTS } from "./catalog";
import { MART_PARAMETERS, martSql, renderMartParameters } from "./martParameters";

const P = MART_PARAMETERS;
const martFiles = MARTS.filter((m) => m.file.startsWith("marts/"));

/** The SQL text outside comments and string literals. */
function code(sql: string): string {
  const parts: string[] = [];
  mapOutsideCommentsAndStrings(sql, (c) => {
    parts.push(c);
    return c;
  });
  return parts.join(" ");
}

describe("renderMartParameters", () => {
  it("renders each mart parameter as an integer literal and leaves @run_date for the runner", () => {
    const sql = "select @ltv_days as a, @run_date as d, @@time_zone as z -- @ltv_days\n";
    expect(renderMartParameters(sql)).toBe(
      `select ${P.ltv_days} as a, @run_date as d, @@time_zone as z -- @ltv_days\n`,
    );
  });

  it("leaves parameters inside strings alone", () => {
    expect(renderMartParameters("select '@ltv_days' as s")).toBe("select '@ltv_days' as s");
  });

  it("refuses a value that is not a non-negative integer, naming the parameter", () => {
    expect(() => renderMartParameters("select 1", { ...P, ltv_days: 0.5 })).toThrow(/ltv_days/);
    expect(() => renderMartParameters("select 1", { ...P, churn_after_days: -1 })).toThrow(
      /churn_after_days/,
    );
  });
});

describe("the mart SQL and its parameters", () => {
  it("leaves only @run_date (and a date spine's first day) to bind once the parameters are rendered", () => {
    for (const m of martFiles) {
      const spine = m.materialization.kind === "partition" ? m.materialization.fromParameter : null;
      const unbound = queryParameters(martSql(m)).filter((p) => p !== "run_date" && p !== spine);
      expect([m.name, unbound]).toEqual([m.name, []]);
    }
  });

  it("uses every declared parameter in some mart", () => {
    const used = new Set(martFiles.flatMap((m) => queryParameters(readSql(m.file))));
    for (const name of Object.keys(P)) expect([name, used.has(name)]).toEqual([name, true]);
  });

  it("holds no threshold or window as a literal: no value of 10 or more but 100 appears as a number", () => {
    // Small values (1, 2, 3, 5, 7) also serve as plain arithmetic; 100 is the percent base.
    const values = [...new Set(Object.values(P))].filter((v) => v >= 10 && v !== 100);
    for (const m of martFiles) {
      const literals = [...code(readSql(m.file)).matchAll(/(?<![\w.@])(\d+)(?![\w.])/g)]
        .map((x) => Number(x[1]))
        .filter((n) => values.includes(n as never));
      expect([m.name, literals]).toEqual([m.name, []]);
    }
  });

  it("names the window columns after the windows they apply", () => {
    const summary = readSql("marts/dm_user_purchase_summary.sql");
    expect(summary).toContain(`as is_converted_${P.conversion_days_short}d`);
    expect(summary).toContain(`as is_converted_${P.conversion_days_long}d`);
    expect(summary).toContain(`as ltv_${P.ltv_days}d`);
    expect(summary).toContain(`as is_retained_${P.retention_start_day_early}d`);
    expect(summary).toContain(`as is_retained_${P.retention_start_day_late}d`);
    expect(readSql("marts/dm_behavior_consistency.sql")).toContain(
      `as active_days_${P.rhythm_days}d`,
    );
    expect(readSql("marts/dm_churn_risk.sql")).toContain(
      `as tier_cycle_p${P.reactivation_cycle_percentile}_days`,
    );
    expect(readSql("marts/dm_promo_effect.sql")).toContain(
      `as mean_days_to_convert_${P.conversion_days_long}d`,
    );
  });
});
