import { committedMartSchemas } from "../../../infra/martTableSchemas";
import { MARTS } from "./catalog";
import { columnDocProblems, columnDocsFile, parseColumnDocs, readColumnDocs } from "./columnDocs";

describe("mart column descriptions", () => {
  it("describe every column of every mart once (a problem names the mart and the column)", () => {
    // The committed schemas hold the columns each mart's SQL selects (a test keeps them current).
    const schemas = committedMartSchemas();
    const problems = MARTS.flatMap((decl) =>
      columnDocProblems(
        decl,
        (schemas[decl.name] ?? []).map((f) => f.name),
        readColumnDocs(decl),
      ),
    );
    expect(problems).toEqual([]);
  });

  it("sit beside each mart's SQL file", () => {
    expect(columnDocsFile({ file: "marts/dm_kpi_daily.sql" })).toBe("marts/dm_kpi_daily.yml");
    expect(Object.keys(readColumnDocs({ file: "marts/dm_kpi_daily.sql" }))[0]).toBe("kpi_date");
  });
});

describe("columnDocProblems", () => {
  const decl = { name: "dm_x", dataset: "marts" as const, file: "marts/dm_x.sql" };

  it("names the mart and the column that lacks a description", () => {
    expect(columnDocProblems(decl, ["a", "b"], { a: "The a." })).toEqual([
      'marts.dm_x.b has no description: add "b: ..." under columns: in sql/marts/dm_x.yml',
    ]);
  });

  it("names a description of a column the SQL no longer selects", () => {
    expect(columnDocProblems(decl, ["a"], { a: "The a.", gone: "Old." })).toEqual([
      "sql/marts/dm_x.yml describes marts.dm_x.gone, which the SQL does not select: remove it",
    ]);
  });

  it("treats a missing sidecar as no descriptions at all", () => {
    const none = readColumnDocs({ file: "marts/no_such_mart.sql" });
    expect(columnDocProblems(decl, ["a"], none)).toHaveLength(1);
  });
});

describe("parseColumnDocs", () => {
  it("reads a columns mapping, trimming each description", () => {
    expect(parseColumnDocs("columns:\n  a: ' The a. '\n  b: The b.\n", "x.yml")).toEqual({
      a: "The a.",
      b: "The b.",
    });
  });

  it.each([
    ["columns: [a, b]\n", /x\.yml needs a "columns:" mapping/],
    ["other: {}\n", /x\.yml needs a "columns:" mapping/],
    ["columns:\n  a:\n", /x\.yml: column a needs a one-line text description/],
    ["columns:\n  a: [1]\n", /x\.yml: column a needs a one-line text description/],
    ["columns: {a: 'x'\n", /x\.yml is not valid YAML/],
  ])("refuses %j, naming the file", (text, message) => {
    expect(() => parseColumnDocs(text, "x.yml")).toThrow(message);
  });
});
