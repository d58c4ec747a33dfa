import { parseAnalyzerMessage } from "./analyzer";
import {
  bannedConstructIssues,
  dependencyOrder,
  formatIssue,
  GateResult,
  lineColumn,
  runGate,
  tableReferences,
} from "./gate";
import { AnalyzerServer, startAnalyzer, stopAnalyzer } from "./server";
import { SqlSource } from "./sqlSources";

let server: AnalyzerServer;
beforeAll(async () => {
  server = await startAnalyzer();
});
afterAll(() => stopAnalyzer());

const mart = (name: string, sql: string): SqlSource => ({
  path: `marts/${name}.sql`,
  sql,
  produces: { dataset: "marts", name },
});

async function gateOne(sql: string): Promise<GateResult> {
  const [result] = await runGate(server, [mart("dm_fixture", sql)]);
  return result!;
}

const USERS_BY_DAY = `-- One row per signup day.
with

users as (

    select * from raw.users
    where not anomaly_flag

),

final as (

    select
        signup_date,
        count(*) as users

    from users
    where signup_date <= @run_date
    group by signup_date

)

select * from final
`;

describe("the SQL gate", () => {
  it("passes a mart that reads the contract's tables with a declared parameter", async () => {
    const result = await gateOne(USERS_BY_DAY);
    expect(result.issues).toEqual([]);
    expect(result.output?.columns.map((c) => c.name)).toEqual(["signup_date", "users"]);
  });

  it("names a misspelt column at its line and column", async () => {
    const sql = USERS_BY_DAY.replace("count(*) as users", "count(distinct user_idd) as users");
    const [issue] = (await gateOne(sql)).issues;
    expect(issue).toEqual({
      ...lineColumn(sql, sql.indexOf("user_idd")),
      message: expect.stringMatching(/Unrecognized name: user_idd/),
    });
    expect(issue?.line).toBe(15);
  });

  it("rejects DuckDB's date_diff('day', a, b) argument order", async () => {
    const sql = "select date_diff('day', signup_date, @run_date) as days from raw.users";
    const [issue] = (await gateOne(sql)).issues;
    expect(issue?.message).toMatch(/date part/i);
    // The analyzer points at the argument where it expected the date part.
    expect(issue).toMatchObject({ line: 1, column: sql.indexOf("@run_date") + 1 });
  });

  it("rejects a DuckDB-only function by name", async () => {
    const [issue] = (await gateOne("select list_value(1, 2) as xs from raw.users")).issues;
    expect(issue).toMatchObject({ line: 1, column: 8 });
    expect(issue?.message).toMatch(/Function not found: list_value/);
  });

  it("rejects QUALIFY without WHERE, GROUP BY or HAVING, as BigQuery does", async () => {
    const sql = [
      "select user_id, row_number() over (partition by user_type order by signup_date) as rn",
      "from raw.users",
      "qualify rn = 1",
    ].join("\n");
    const [issue] = (await gateOne(sql)).issues;
    expect(issue?.message).toMatch(/QUALIFY clause must be used in conjunction with WHERE/);
    expect(issue?.line).toBe(3);
  });

  it("accepts @run_date and @snapshot_date as DATEs and rejects any other parameter", async () => {
    const declared = "select date_diff(@snapshot_date, @run_date, day) as d from raw.users";
    expect((await gateOne(declared)).issues).toEqual([]);
    const [issue] = (await gateOne("select @as_of_date as d from raw.users")).issues;
    expect(issue).toMatchObject({ line: 1, column: 8 });
    expect(issue?.message).toMatch(/Query parameter 'as_of_date' not found/);
    const [typed] = (await gateOne("select @run_date + 'x' as d from raw.users")).issues;
    expect(typed?.message).toMatch(/DATE/);
  });

  it("rejects a construct the DuckDB translation gets wrong, at its position", async () => {
    const sql = "select\n    extract(dayofweek from signup_date) as dow\nfrom raw.users";
    const [issue] = (await gateOne(sql)).issues;
    expect(issue).toMatchObject({ line: 2, column: 5 });
    expect(issue?.message).toMatch(/^Banned construct: extract\(dayofweek\)/);
  });

  it("rejects BigQuery-valid SQL whose DuckDB translation DuckDB cannot run", async () => {
    const sql = "select percentile_disc(price, 0.5) over () as median_price from raw.products";
    const [issue] = (await gateOne(sql)).issues;
    expect(issue?.message).toMatch(/^DuckDB cannot run the translation: .*percentile_disc/);
    const [analyzerOnly] = await runGate(server, [mart("dm_fixture", sql)], { duckdb: false });
    expect(analyzerOnly?.issues).toEqual([]);
  });

  it("resolves raw.events, `raw`.`events` and `raw.events` alike", async () => {
    for (const name of ["raw.events", "`raw`.`events`"]) {
      expect((await gateOne(`select count(*) as n from ${name}`)).issues).toEqual([]);
    }
  });

  it("checks a mart that reads another mart against the first one's resolved output", async () => {
    const upstream = mart("dm_users_by_day", USERS_BY_DAY);
    const downstream = mart(
      "dm_users_total",
      "select sum(users) as users, max(signup_date) as last_day from marts.dm_users_by_day",
    );
    const results = await runGate(server, [downstream, upstream]);
    expect(results.map((r) => r.issues)).toEqual([[], []]);
    expect(results[0]?.output?.columns.map((c) => c.type.typeKind)).toEqual([2, 10]);

    const misspelt = mart("dm_users_total", "select sum(user) as users from marts.dm_users_by_day");
    const [, wrong] = await runGate(server, [upstream, misspelt]);
    expect(wrong?.issues[0]?.message).toMatch(/Unrecognized name: user/);
  });

  it("reports a mart whose upstream mart failed at its reference to it", async () => {
    const upstream = mart("dm_broken", "select nope from raw.users");
    const downstream = mart("dm_after", "select *\nfrom marts.dm_broken");
    const [, after] = await runGate(server, [upstream, downstream]);
    expect(after?.issues).toEqual([
      {
        line: 2,
        column: 6,
        message: "Reads marts.dm_broken, whose SQL (marts/dm_broken.sql) has errors",
      },
    ]);
  });

  it("analyses a script: a table created first is known to the MERGE after it", async () => {
    const sql = `create table if not exists snapshots.segment_history (
    user_id string,
    segment string,
    valid_from date,
    valid_to date,
    is_current bool
);

merge snapshots.segment_history as history
using (select user_id, 'Lost' as segment from raw.users) as today
on history.user_id = today.user_id and history.is_current
when matched and history.segment != today.segment then
    update set valid_to = @snapshot_date, is_current = false
when not matched then
    insert (user_id, segment, valid_from, valid_to, is_current)
    values (today.user_id, today.segment, @snapshot_date, null, true);
`;
    const source: SqlSource = {
      path: "rfm/segment_history.sql",
      sql,
      produces: { dataset: "snapshots", name: "segment_history" },
    };
    const [ok] = await runGate(server, [source]);
    expect(ok?.issues).toEqual([]);
    expect(ok?.output?.columns.map((c) => c.name)).toEqual([
      "user_id",
      "segment",
      "valid_from",
      "valid_to",
      "is_current",
    ]);
    const [bad] = await runGate(server, [
      { ...source, sql: sql.replace("set valid_to", "set valid_till") },
    ]);
    expect(bad?.issues[0]).toMatchObject({
      line: 13,
      message: expect.stringMatching(/valid_till/),
    });
  });
});

describe("gate helpers", () => {
  it("formats an issue as path:line:column message", () => {
    expect(formatIssue("marts/x.sql", { line: 3, column: 7, message: "Bad" })).toBe(
      "marts/x.sql:3:7 Bad",
    );
  });

  it("splits the analyzer's one-line message into text and position", () => {
    expect(parseAnalyzerMessage("Unrecognized name: x; Did you mean y? [at 12:34]")).toEqual({
      line: 12,
      column: 34,
      message: "Unrecognized name: x; Did you mean y?",
    });
  });

  it("computes 1-based lines and columns", () => {
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn("ab", 0)).toEqual({ line: 1, column: 1 });
  });

  it("finds mart references in code but not in comments or strings", () => {
    const sql = "-- reads marts.a\nselect 'marts.b' from marts.c join `snapshots`.`d` using (x)";
    expect(tableReferences(sql).map((r) => r.key)).toEqual(["marts.c", "snapshots.d"]);
  });

  it("orders marts after the marts they read and reports a cycle", () => {
    const a = mart("a", "select * from marts.b");
    const b = mart("b", "select * from marts.c");
    const c = mart("c", "select 1 as x");
    expect(dependencyOrder([a, b, c]).ordered.map((s) => s.path)).toEqual([
      "marts/c.sql",
      "marts/b.sql",
      "marts/a.sql",
    ]);
    const loop = mart("c", "select * from marts.a");
    expect(dependencyOrder([a, b, loop]).cyclic).toHaveLength(3);
  });

  it("lists every banned construct a text contains", () => {
    const issues = bannedConstructIssues("select cast(x as numeric)\nfrom `raw.events`");
    expect(issues.map((i) => i.line)).toEqual([1, 2]);
  });
});
