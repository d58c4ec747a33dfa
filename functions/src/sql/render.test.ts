import { queryParameters, renderDatasets, renderParams, sqlLiteral } from "./render";

describe("renderParams", () => {
  it("replaces a DATE parameter with a typed literal everywhere it appears", () => {
    const sql =
      "select * from raw.orders where date(order_ts) <= @run_date and @run_date > '2020-01-01'";
    expect(renderParams(sql, { run_date: { date: "2024-06-30" } })).toBe(
      "select * from raw.orders where date(order_ts) <= date '2024-06-30' and date '2024-06-30' > '2020-01-01'",
    );
  });

  it("rejects a missing SQL parameter by name", () => {
    expect(() => renderParams("select @snapshot_date, @run_date", { run_date: 1 })).toThrow(
      "Missing SQL parameter(s): @snapshot_date",
    );
  });

  it("leaves @ inside strings and comments alone", () => {
    const sql = "-- uses @nothing\nselect 'me@shop.com' as email, @n as n";
    expect(renderParams(sql, { n: 3 })).toBe(
      "-- uses @nothing\nselect 'me@shop.com' as email, 3 as n",
    );
    expect(queryParameters(sql)).toEqual(["n"]);
  });

  it("does not treat @@system variables as parameters", () => {
    expect(queryParameters("select @@project_id, @x")).toEqual(["x"]);
  });

  it("rejects a malformed date value instead of rendering it", () => {
    expect(() => sqlLiteral({ date: "2024-6-30" })).toThrow(/not YYYY-MM-DD/);
  });

  it("escapes quotes in string parameters", () => {
    expect(sqlLiteral("O'Brien")).toBe("'O\\'Brien'");
  });
});

describe("renderDatasets", () => {
  it("maps logical dataset names to a stack's dataset ids", () => {
    const sql =
      "select * from raw.users join marts.dm_kpi_daily using (x) join snapshots.rfm_daily using (y)";
    expect(
      renderDatasets(sql, { raw: "raw_pr_7", marts: "marts_pr_7", snapshots: "snapshots_pr_7" }),
    ).toBe(
      "select * from raw_pr_7.users join marts_pr_7.dm_kpi_daily using (x) join snapshots_pr_7.rfm_daily using (y)",
    );
  });

  it("qualifies with a project when given one", () => {
    expect(renderDatasets("select 1 from raw.users", {}, "my-proj")).toBe(
      "select 1 from `my-proj.raw`.users",
    );
  });

  it("does not touch column references that merely end in raw", () => {
    expect(renderDatasets("select t.raw.x, draw.y from t", { raw: "r2" })).toBe(
      "select t.raw.x, draw.y from t",
    );
  });
});
