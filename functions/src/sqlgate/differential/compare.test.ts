import { ResultTable } from "../resultTable";
import { compareResults, floatsEqual, sortRows } from "./compare";

const table = (rows: ResultTable["rows"], dateType: "DATE" | "DATETIME" = "DATE"): ResultTable => ({
  columns: [
    { name: "day", type: dateType, engineType: dateType },
    { name: "users", type: "INT64", engineType: "BIGINT" },
    { name: "share", type: "FLOAT64", engineType: "DOUBLE" },
  ],
  rows,
});

describe("comparing results", () => {
  it("accepts summation-order noise in FLOAT64 but not a cent", () => {
    expect(floatsEqual(0.1 + 0.2, 0.3)).toBe(true);
    expect(floatsEqual(1234567.89 * (1 + 1e-12), 1234567.89)).toBe(true);
    expect(floatsEqual(40.0, 40.01)).toBe(false);
    expect(floatsEqual(1e8, 1e8 + 1)).toBe(false);
  });

  it("ignores row order but not row content", () => {
    const reference = table([
      ["2024-01-02", 1, 0.5],
      ["2024-01-01", 2, 0.25],
    ]);
    const same = table([
      ["2024-01-01", 2, 0.25 + 1e-15],
      ["2024-01-02", 1, 0.5],
    ]);
    expect(compareResults(reference, same)).toEqual([]);
    const shifted = table([
      ["2024-01-01", 2, 0.25],
      ["2024-01-03", 1, 0.5],
    ]);
    expect(compareResults(reference, shifted)).toEqual([
      expect.stringMatching(/^sorted row 2: day: "2024-01-02" vs "2024-01-03"/),
    ]);
  });

  it("reports a type that changed, such as a DATE that came back as a TIMESTAMP", () => {
    const reference = table([["2024-01-01", 1, 1]]);
    const duck = table([["2024-01-01", 1, 1]], "DATETIME");
    expect(compareResults(reference, duck)).toEqual([
      "column day: reference type DATE, DuckDB DATETIME",
    ]);
  });

  it("reports missing rows and renamed columns", () => {
    const reference = table([
      ["2024-01-01", 1, 1],
      ["2024-01-02", null, null],
    ]);
    expect(compareResults(reference, table([["2024-01-01", 1, 1]]))).toContain(
      "row count: reference 2, DuckDB 1",
    );
    const renamed: ResultTable = {
      ...reference,
      columns: reference.columns.map((c) => ({ ...c, name: "x" })),
    };
    expect(compareResults(reference, renamed)[0]).toMatch(/^columns differ/);
  });

  it("sorts NULLs first and numbers numerically", () => {
    expect(sortRows([[10], [null], [-2], [9.5]])).toEqual([[null], [-2], [9.5], [10]]);
  });
});
