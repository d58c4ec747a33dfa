import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { captureOutput } from "./cli/testing/capturedOutput";
import { paramValue, queryCli } from "./query";

/**
 * The SQL console on a warehouse whose mart rows are written here by hand, so the snapshots show
 * what the command prints for known values (a null, a text with a comma and a quote, a date), not
 * what a mart's definition computes today.
 */
let dir: string;
const MART_SQL =
  "select category, order_month, revenue, orders, is_partial_month, revenue_growth_mom\n" +
  "from marts.dm_category_performance\norder by category, order_month";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "query-"));
  const warehouse = await DuckDbWarehouse.open({ path: join(dir, "warehouse.duckdb") });
  const run = (sql: string) => warehouse.connection.run(sql);
  await run("create schema marts");
  await run(`create table marts.dm_category_performance (
    category varchar, order_month date, revenue double, orders bigint,
    is_partial_month boolean, revenue_growth_mom double)`);
  await run(`insert into marts.dm_category_performance values
    ('Books', '2024-01-01', 1250.5, 41, false, null),
    ('Books', '2024-02-01', 1100.25, 37, false, -0.12),
    ('Home, "Garden"', '2024-01-01', 980, 12, true, null)`);
  await warehouse.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the command and returns what it printed on each stream. */
async function query(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = captureOutput();
  try {
    const code = await queryCli([...argv, "--out", dir]);
    return { code, stdout: output.stdout, stderr: output.stderr };
  } finally {
    output.restore();
  }
}

describe("npm run query on a mart", () => {
  it.each(["table", "csv", "json"])("prints the rows as %s", async (format) => {
    const run = await query(["--format", format, MART_SQL]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatchSnapshot();
  });

  it("reads the query from --file", async () => {
    const file = join(dir, "q.sql");
    await writeFile(file, `-- a saved query\n${MART_SQL}\n`);
    const run = await query(["--file", file, "--format", "json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(3);
  });

  it("runs BigQuery functions and parameters through the marts' translator", async () => {
    const run = await query([
      "--format",
      "json",
      "--param",
      "since=2024-02-01",
      "select countif(order_month >= @since) as recent, safe_divide(sum(revenue), 0) as nothing,\n" +
        "date_diff(max(order_month), @since, day) as days\nfrom marts.dm_category_performance",
    ]);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual([{ recent: 1, nothing: null, days: 0 }]);
  });
});

describe("what the console refuses", () => {
  it("is read-only by default, and says how to write", async () => {
    const run = await query(["delete from marts.dm_category_performance where true"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^npm run query: the warehouse is open read-only; pass --write/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    const after = await query([
      "--format",
      "json",
      "select count(*) as n from marts.dm_category_performance",
    ]);
    expect(JSON.parse(after.stdout)).toEqual([{ n: 3 }]);
  });

  it("writes with --write", async () => {
    const run = await query(["--write", "create table marts.scratch as select 1 as x"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const after = await query(["--format", "json", "select x from marts.scratch"]);
    expect(JSON.parse(after.stdout)).toEqual([{ x: 1 }]);
  });

  it("names a construct that would not mean the same in BigQuery", async () => {
    const run = await query([
      "select regexp_contains(category, 'oo') as b from marts.dm_category_performance",
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^npm run query: cannot translate to DuckDB: .*regexp_contains/);
  });

  it("passes DuckDB's error on in one line", async () => {
    const run = await query(["select no_such_column from marts.dm_category_performance"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^npm run query: .*no_such_column/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it.each([
    [[], "SQL: no query given"],
    [["select 1", "--file", "x.sql"], "--file: give the query either inline or with --file"],
    [["--file", "/no/such.sql"], "--file: /no/such.sql: no such file"],
    [["--format", "xml", "select 1"], '--format: "xml" is not one of table, csv, json'],
    [["--param", "oops", "select 1"], '--param: "oops" is not NAME=VALUE'],
    [["select @run_date"], "--param: the query uses @run_date; pass --param run_date=..."],
  ])("exits 2 on %j: %s", async (argv, message) => {
    const run = await query(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`npm run query: ${message}`);
  });

  it("says to run npm start when there is no warehouse, and creates none", async () => {
    const bare = await mkdtemp(join(tmpdir(), "query-bare-"));
    try {
      const code = await queryCli(["select 1", "--out", bare]).catch(() => -1);
      expect(code).toBe(1);
      expect(existsSync(join(bare, "warehouse.duckdb"))).toBe(false);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});

describe("paramValue", () => {
  it("types a parameter as BigQuery would: date, number, boolean, else text", () => {
    expect(paramValue("2025-12-31")).toEqual({ date: "2025-12-31" });
    expect(paramValue("30")).toBe(30);
    expect(paramValue("0.5")).toBe(0.5);
    expect(paramValue("true")).toBe(true);
    expect(paramValue("Books")).toBe("Books");
  });
});
