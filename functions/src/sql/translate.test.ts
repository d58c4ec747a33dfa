import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lastJsonLineOfFreshNode } from "../../../scripts/cli/testing/freshNode";
import { closeDuckDb, openDuckDb } from "../warehouse/duckdb";
import {
  BANNED_CONSTRUCTS,
  BIGQUERY_REWRITES,
  DUCKDB_REWRITES,
  SqlTranslationError,
  bannedConstructs,
  keepTranslationsIn,
  keptTranslationFile,
  toDuckDb,
  wrapCalls,
} from "./translate";

type Db = Awaited<ReturnType<typeof openDuckDb>>;
let db: Db;

beforeAll(async () => {
  db = await openDuckDb(":memory:");
});
afterAll(() => closeDuckDb(db));

/** Translates one BigQuery select and returns its single row with DuckDB's column types. */
async function runOne(
  bigQuerySql: string,
): Promise<{ row: Record<string, unknown>; types: string[] }> {
  const reader = await db.connection.runAndReadAll(await toDuckDb(bigQuerySql));
  const rows = reader.getRowObjectsJson();
  return { row: rows[0] as Record<string, unknown>, types: reader.columnTypes().map(String) };
}

describe("rewrites before translation", () => {
  it("keeps date_add on a DATE a DATE in DuckDB", async () => {
    const { row, types } = await runOne("select date_add(date '2024-02-28', interval 2 day) as d");
    expect(row.d).toBe("2024-03-01");
    expect(types).toEqual(["DATE"]);
  });

  it("keeps date_sub on a DATE a DATE in DuckDB", async () => {
    const { row, types } = await runOne("select date_sub(date '2024-03-01', interval 1 day) as d");
    expect(row.d).toBe("2024-02-29");
    expect(types).toEqual(["DATE"]);
  });

  it("keeps date_trunc to a month a DATE in DuckDB, also when nested", async () => {
    const { row, types } = await runOne(
      "select date_trunc(date_sub(date '2024-03-10', interval 20 day), month) as m",
    );
    expect(row.m).toBe("2024-02-01");
    expect(types).toEqual(["DATE"]);
  });

  it("keeps the grouping of integer division, inside and around the call", async () => {
    const { row } = await runOne(
      "select div(7 + 99, 100) as a, 2 * div(7, 2) as b, div(20, 2 * 5) as c, div(div(9, 2), 2) as d",
    );
    expect(row).toEqual({ a: 1, b: 6, c: 2, d: 2 });
  });

  it("leaves function names inside strings and comments alone", () => {
    const sql = "select 'date_add(x)' as s -- date_trunc(y)\n, timestamp_trunc(t, day) as t";
    expect(wrapCalls(sql, ["date_add", "date_trunc"], "cast(", " as date)")).toBe(sql);
  });

  it("lists a reason for every rewrite", () => {
    for (const r of [...BIGQUERY_REWRITES, ...DUCKDB_REWRITES])
      expect(r.reason.length).toBeGreaterThan(20);
  });
});

describe("rewrites after translation", () => {
  it("truncates to the ISO (Monday) week for isoweek, as BigQuery does", async () => {
    // 2024-06-30 is a Sunday: its ISO week starts on Monday 2024-06-24.
    const { row, types } = await runOne("select date_trunc(date '2024-06-30', isoweek) as w");
    expect(row.w).toBe("2024-06-24");
    expect(types).toEqual(["DATE"]);
  });

  it("truncates to the Monday week for week(monday), as BigQuery does", async () => {
    const { row } = await runOne("select date_trunc(date '2024-06-30', week(monday)) as w");
    expect(row.w).toBe("2024-06-24");
  });

  it("numbers ISO weeks for extract(isoweek), as BigQuery does", async () => {
    // 2021-01-03 is in ISO week 53 of 2020.
    const { row } = await runOne("select extract(isoweek from date '2021-01-03') as w");
    expect(Number(row.w)).toBe(53);
  });

  it("rounds a half-cent double the way BigQuery does (82.485 is stored just below the half)", async () => {
    const { row } = await runOne("select round(82.485, 2) as r, round(164.97 / 2, 2) as aov");
    expect(row.r).toBe(82.48);
    expect(row.aov).toBe(82.48);
  });

  it("takes the UTC day of timestamps, dates and naive timestamps without the ICU calendar", async () => {
    const reader = await db.connection.runAndReadAll(
      await toDuckDb(`
        with t as (
          select ts, date(ts) as d, datetime(ts) as dt
          from unnest([
            timestamp '2024-01-01 00:00:00+00', timestamp '2023-12-31 23:59:59.999999+00',
            timestamp '2024-02-29 12:00:00-11', timestamp '1969-12-31 23:59:59+00',
            timestamp '1960-06-15 00:00:00+00'
          ]) as ts
        )
        select cast(date(t.ts) as string) as from_ts, cast(date(t.d) as string) as from_date,
               cast(date(t.dt) as string) as from_datetime
        from t
      `),
    );
    expect(reader.getRowObjectsJson()).toEqual([
      { from_ts: "2024-01-01", from_date: "2024-01-01", from_datetime: "2024-01-01" },
      { from_ts: "2023-12-31", from_date: "2023-12-31", from_datetime: "2023-12-31" },
      { from_ts: "2024-02-29", from_date: "2024-02-29", from_datetime: "2024-02-29" },
      { from_ts: "1969-12-31", from_date: "1969-12-31", from_datetime: "1969-12-31" },
      { from_ts: "1960-06-15", from_date: "1960-06-15", from_datetime: "1960-06-15" },
    ]);
    const utcDay = DUCKDB_REWRITES.find((r) => r.name === "UTC day by arithmetic")!;
    expect(
      utcDay.apply(
        "SELECT CAST(s.session_start_ts AS DATE), CAST('2024-01-01' AS DATE), CAST(NULL AS DATE)",
      ),
    ).toBe(
      "SELECT (DATE '1970-01-01' + CAST(floor(epoch_us(s.session_start_ts) / 86400000000) AS INTEGER)), CAST('2024-01-01' AS DATE), CAST(NULL AS DATE)",
    );
  });

  it("rewrites nested round calls and leaves strings and one-argument calls alone", () => {
    const round = DUCKDB_REWRITES.find((r) => r.name === "round like BigQuery")!;
    const out = round.apply("SELECT ROUND(ROUND(a, 2) / b, 1), 'round(x, 2)', ROUND(c)");
    // The inner call is rewritten inside each copy of the outer call's value.
    expect(out).not.toMatch(/ROUND\(\s*ROUND/i);
    expect(out.match(/CAST\(a AS DOUBLE\)/g)!.length).toBeGreaterThan(1);
    expect(out).toContain("'round(x, 2)'");
    expect(out).toMatch(/, ROUND\(c\)$/);
  });
});

describe("banned constructs", () => {
  const cases: [string, string][] = [
    ["regexp_contains", "select regexp_contains('abc', r'b') as x"],
    ["array_agg with limit", "select array_agg(x order by x limit 2) from unnest([1, 2]) as x"],
    ["extract(dayofweek)", "select extract(dayofweek from date '2024-01-01') as x"],
    ["numeric casts", "select cast(1.5 as numeric) as x"],
    ["backquoted dataset.table", "select * from `raw.users`"],
    ["Sunday weeks", "select date_trunc(date(timestamp '2024-01-01'), week) as w"],
    ["extract(week)", "select extract(week from date '2024-01-01') as w"],
    ["date_from_unix_date", "select date_from_unix_date(19000) as d"],
    [
      "approx_quantiles",
      "select approx_quantiles(x, 4)[offset(1)] as q from unnest([1.0, 2.0]) as x",
    ],
  ];

  it.each(cases)("rejects %s with its reason", async (_name, sql) => {
    const found = bannedConstructs(sql);
    expect(found).toHaveLength(1);
    await expect(toDuckDb(sql)).rejects.toThrow(SqlTranslationError);
    await expect(toDuckDb(sql)).rejects.toThrow(found[0]!.reason);
  });

  it("covers every banned construct with a case", () => {
    const hit = new Set(cases.flatMap(([, sql]) => bannedConstructs(sql)));
    expect(hit.size).toBe(BANNED_CONSTRUCTS.length);
  });

  it("accepts the Monday-week forms it rewrites", () => {
    expect(bannedConstructs("select date_trunc(d, isoweek), date_trunc(d, week(monday))")).toEqual(
      [],
    );
  });
});

describe("multi-statement scripts", () => {
  it("translates each statement of a DML script", async () => {
    const sql = await toDuckDb(
      "create table if not exists h (k string, v date);\ndelete from h where v = date '2024-01-01'",
    );
    expect(sql.split(";\n")).toHaveLength(2);
    expect(sql).toMatch(/DELETE FROM h/);
  });
});

describe("kept translations", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "kept-translations-"));
    keepTranslationsIn(folder);
  });
  afterEach(async () => {
    keepTranslationsIn(null);
    await rm(folder, { recursive: true, force: true });
  });

  it("keeps the translator's output in a file named by the text, and reads it back", async () => {
    const sql = "select count(*) as n from raw.users where signup_date <= current_date()";
    const first = await toDuckDb(sql);
    const file = keptTranslationFile(folder, sql);
    expect(await readdir(folder)).toEqual([file.slice(folder.length + 1)]);
    expect(await readFile(file, "utf8")).toBe(first);
    // A later use reads the file: what it holds is what comes back, rewrites applied.
    await writeFile(file, "SELECT round(2.5, 1) AS kept");
    expect(await toDuckDb(sql)).toBe(
      DUCKDB_REWRITES.reduce((out, r) => r.apply(out), "SELECT round(2.5, 1) AS kept"),
    );
  });

  it("keys each text apart, and applies the rewrites before translation to the kept text", async () => {
    await toDuckDb("select 1 as a");
    await toDuckDb("select 2 as a");
    await toDuckDb("select date_add(date '2024-02-28', interval 2 day) as d");
    expect((await readdir(folder)).sort()).toEqual(
      [
        keptTranslationFile(folder, "select 1 as a"),
        keptTranslationFile(folder, "select 2 as a"),
        keptTranslationFile(
          folder,
          BIGQUERY_REWRITES.reduce(
            (out, r) => r.apply(out),
            "select date_add(date '2024-02-28', interval 2 day) as d",
          ),
        ),
      ]
        .map((file) => file.slice(folder.length + 1))
        .sort(),
    );
  });

  it("keeps nothing for a text that fails to translate or is banned, and fails again", async () => {
    await expect(toDuckDb("select from where")).rejects.toThrow(SqlTranslationError);
    await expect(toDuckDb("select from where")).rejects.toThrow(SqlTranslationError);
    await expect(toDuckDb("select regexp_contains('a', 'a') as m")).rejects.toThrow(/Banned/);
    expect(await readdir(folder).catch(() => [])).toEqual([]);
  });

  it("keeps nothing when no folder is set", async () => {
    keepTranslationsIn(null);
    await toDuckDb("select 3 as a");
    expect(await readdir(folder)).toEqual([]);
  });

  it("spares a later process the translator: a kept text loads none of its package", async () => {
    const sql = "select user_id from raw.users where signup_date > date '2024-01-01'";
    const translated = await toDuckDb(sql);
    const run = (path: string) =>
      lastJsonLineOfFreshNode<{ sql: string; loaded: number }>(`
        const t = require(${JSON.stringify(join(__dirname, "translate.ts"))});
        t.keepTranslationsIn(${JSON.stringify(path)});
        t.toDuckDb(${JSON.stringify(sql)}).then((sql) => console.log(JSON.stringify({
          sql,
          loaded: Object.keys(require.cache).filter((k) => k.includes("/@polyglot-sql/")).length,
        })));
      `);
    expect(run(folder)).toEqual({ sql: translated, loaded: 0 });
    const empty = join(folder, "empty");
    const cold = run(empty);
    expect(cold.sql).toBe(translated);
    expect(cold.loaded).toBeGreaterThan(0);
  }, 60_000);
});
