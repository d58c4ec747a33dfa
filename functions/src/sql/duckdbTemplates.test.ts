import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { renderMartParameters } from "../marts/martParameters";
import { duckDbTemplates } from "./duckdbTemplates";
import { queryParameters, renderParams, type SqlParam } from "./render";
import { readSql, sqlRoot } from "./sqlFiles";
import { toDuckDb } from "./translate";

/** Every SQL file of the project, as the runners read it (mart constants rendered in). */
function projectSql(): { file: string; sql: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".sql")) files.push(relative(sqlRoot(), join(dir, entry.name)));
    }
  };
  walk(sqlRoot());
  return files.sort().map((file) => ({ file, sql: renderMartParameters(readSql(file)) }));
}

/** A translator that counts its calls. */
function countingTranslator(): { calls: () => number; translate: typeof toDuckDb } {
  let calls = 0;
  return {
    calls: () => calls,
    translate: (sql) => {
      calls += 1;
      return toDuckDb(sql);
    },
  };
}

const DATE_SETS: Record<string, SqlParam>[] = [
  {
    run_date: { date: "2025-12-31" },
    from_date: { date: "2024-01-01" },
    snapshot_date: { date: "2025-06-30" },
  },
  {
    run_date: { date: "2024-02-29" },
    from_date: { date: "2024-02-29" },
    snapshot_date: { date: "2024-02-29" },
  },
  {
    run_date: { date: "2027-01-01" },
    from_date: { date: "2026-12-01" },
    snapshot_date: { date: "2026-12-31" },
  },
];

describe("DuckDB templates", () => {
  it("translates every SQL file of the project once, and as rendering then translating does, date after date", async () => {
    const files = projectSql();
    // The marts, the RFM, CLV and test inputs: the texts that take dates.
    expect(files.filter(({ sql }) => queryParameters(sql).length > 0).length).toBeGreaterThan(15);
    for (const { file, sql } of files) {
      const counter = countingTranslator();
      const templates = duckDbTemplates(counter.translate);
      for (const params of DATE_SETS) {
        const direct = await toDuckDb(renderParams(sql, params));
        expect({ file, sql: await templates.render(sql, params) }).toEqual({ file, sql: direct });
      }
      // One translation for the three dates, and for a text without dates.
      expect({ file, translations: counter.calls() }).toEqual({ file, translations: 1 });
      expect(templates.translations).toBe(counter.calls());
    }
  });

  it("translates a text once for all its dates", async () => {
    const counter = countingTranslator();
    const templates = duckDbTemplates(counter.translate);
    const sql = readSql("rfm/rfm_daily.sql");
    for (const day of ["2024-01-31", "2024-02-29", "2024-03-31"])
      expect(
        await templates.render(sql, { snapshot_date: { date: day }, from_date: { date: day } }),
      ).toContain(`'${day}'`);
    expect(counter.calls()).toBe(1);
  });

  it("renders the plain way a text that already holds a placeholder date, and one without dates", async () => {
    const counter = countingTranslator();
    const templates = duckDbTemplates(counter.translate);
    const holding = "select date '1901-02-01' as fixed, @run_date as d";
    const once = await templates.render(holding, { run_date: { date: "2025-01-01" } });
    const twice = await templates.render(holding, { run_date: { date: "2025-01-02" } });
    expect(once).toContain("'1901-02-01'");
    expect(once).toContain("'2025-01-01'");
    expect(twice).toContain("'1901-02-01'");
    expect(twice).toContain("'2025-01-02'");
    expect(counter.calls()).toBe(2);
    expect(await templates.render("select 1 as one", {})).toBe(await toDuckDb("select 1 as one"));
  });

  it("translates a text without dates once, however often it is rendered", async () => {
    const counter = countingTranslator();
    const templates = duckDbTemplates(counter.translate);
    const check = "select user_id from raw.users where signup_date > current_date()";
    const direct = await toDuckDb(check);
    for (let i = 0; i < 3; i++) expect(await templates.render(check, {})).toBe(direct);
    expect(await templates.render("select 1 as one", {})).toBe(await toDuckDb("select 1 as one"));
    expect(counter.calls()).toBe(2);
    expect(templates.translations).toBe(2);
  });

  it("translates a failing text again at its next use, failing again", async () => {
    let calls = 0;
    const templates = duckDbTemplates(() => {
      calls += 1;
      return Promise.reject(new Error(`no translation ${calls}`));
    });
    await expect(templates.render("select 1", {})).rejects.toThrow("no translation 1");
    await expect(templates.render("select 1", {})).rejects.toThrow("no translation 2");
  });

  it("keeps a number or string parameter in the key: another value is another translation", async () => {
    const counter = countingTranslator();
    const templates = duckDbTemplates(counter.translate);
    const sql = "select @run_date as d, @n as n";
    const a = await templates.render(sql, { run_date: { date: "2025-01-01" }, n: 3 });
    const b = await templates.render(sql, { run_date: { date: "2025-01-02" }, n: 4 });
    expect(a).toBe(await toDuckDb("select date '2025-01-01' as d, 3 as n"));
    expect(b).toBe(await toDuckDb("select date '2025-01-02' as d, 4 as n"));
    expect(counter.calls()).toBe(2);
  });

  it("fails on a missing parameter as rendering does", async () => {
    await expect(duckDbTemplates().render("select @run_date", {})).rejects.toThrow(
      /Missing SQL parameter\(s\): @run_date/,
    );
  });
});
