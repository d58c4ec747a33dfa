import { TypeKind } from "@fivetrandevelopers/zetasql";
import { CatalogTable } from "./catalog";
import { evaluateQuery, flatTableNames } from "./evaluator";
import { AnalyzerServer, startAnalyzer, stopAnalyzer } from "./server";

let server: AnalyzerServer;
beforeAll(async () => {
  server = await startAnalyzer();
});
afterAll(() => stopAnalyzer());

const orders: CatalogTable = {
  dataset: "raw",
  name: "orders",
  columns: [
    { name: "order_id", type: { typeKind: TypeKind.TYPE_STRING } },
    { name: "order_ts", type: { typeKind: TypeKind.TYPE_TIMESTAMP } },
    { name: "order_date", type: { typeKind: TypeKind.TYPE_DATE } },
    { name: "quantity", type: { typeKind: TypeKind.TYPE_INT64 } },
    { name: "amount", type: { typeKind: TypeKind.TYPE_DOUBLE } },
    { name: "is_promo", type: { typeKind: TypeKind.TYPE_BOOL } },
  ],
};

const rows = [
  ["O1", "2024-01-24T00:00:00.000000Z", "2024-01-24", 2, 40.5, true],
  ["O2", "2024-01-23T23:59:59.999999Z", "2024-01-23", 1, 9.99, false],
  ["O3", null, null, null, null, null],
] as const;

describe("the reference evaluator", () => {
  it("returns the rows it was given, every type and NULL intact", async () => {
    const result = await evaluateQuery(server, "select * from raw.orders order by order_id", [
      { table: orders, rows: rows.map((r) => [...r]) },
    ]);
    expect(result.columns.map((c) => c.type)).toEqual([
      "STRING",
      "TIMESTAMP",
      "DATE",
      "INT64",
      "FLOAT64",
      "BOOL",
    ]);
    expect(result.rows).toEqual(rows.map((r) => [...r]));
  });

  it("takes the UTC day of a timestamp, as BigQuery does (not the analyzer's Los Angeles default)", async () => {
    const result = await evaluateQuery(
      server,
      "select order_id, date(order_ts) as day from raw.orders where order_ts is not null",
      [{ table: orders, rows: rows.map((r) => [...r]) }],
    );
    expect(result.rows).toEqual(
      expect.arrayContaining([
        ["O1", "2024-01-24"],
        ["O2", "2024-01-23"],
      ]),
    );
  });

  it("explains a function it cannot evaluate", async () => {
    await expect(
      evaluateQuery(server, "select approx_quantiles(amount, 4) as q from raw.orders", [
        { table: orders, rows: [] },
      ]),
    ).rejects.toThrow(/Unsupported built-in function: approx_quantiles/);
  });

  it("rewrites dataset-qualified names to the flat form outside comments and strings", () => {
    expect(
      flatTableNames("select 'raw.x' from raw.orders -- marts.y\njoin marts.z using (a)"),
    ).toBe("select 'raw.x' from `raw.orders` -- marts.y\njoin `marts.z` using (a)");
  });
});
