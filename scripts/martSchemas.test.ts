import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MARTS, type MartDeclaration } from "../functions/src/marts/catalog";
import { readColumnDocs } from "../functions/src/marts/columnDocs";
import { SqlAnalyzer } from "../functions/src/sqlgate/analyzer";
import { codeWrittenTables, contractTables } from "../functions/src/sqlgate/catalog";
import { startAnalyzer, stopAnalyzer, type AnalyzerServer } from "../functions/src/sqlgate/server";
import { committedMartSchemas, type MartSchemas } from "../infra/martTableSchemas";
import {
  assertSchemasCurrent,
  bigQueryFields,
  deriveMartSchemas,
  MART_SCHEMAS_FILE,
  renderMartSchemas,
  schemaDifferences,
} from "./martSchemas";

let server: AnalyzerServer;
let derived: MartSchemas;

beforeAll(async () => {
  server = await startAnalyzer();
  derived = await deriveMartSchemas(server);
});
afterAll(() => stopAnalyzer());

/** The output columns of one query, as the real analyzer resolves them. */
async function outputOf(sql: string) {
  const analyzer = new SqlAnalyzer(server, [...contractTables(), ...codeWrittenTables()]);
  try {
    const analysis = await analyzer.analyze(sql);
    if (!analysis.ok) throw new Error(analysis.issue.message);
    return analysis.statements.at(-1)!.outputColumns!;
  } finally {
    await analyzer.close();
  }
}

describe("the committed mart schemas", () => {
  it("equal what the analyzer derives from the current SQL (else run npm run sql:schemas)", () => {
    expect(() => assertSchemasCurrent(committedMartSchemas(), derived)).not.toThrow();
  });

  it("cover every declared mart and snapshot, and nothing else", () => {
    expect(Object.keys(derived).sort()).toEqual(MARTS.map((m) => m.name).sort());
  });

  it("are byte for byte what the generator writes, so regenerating leaves no diff", () => {
    const file = readFileSync(join(__dirname, "..", MART_SCHEMAS_FILE), "utf8");
    expect(renderMartSchemas(derived)).toBe(file);
    expect(file).toContain(
      '"name": "kpi_date",\n      "type": "DATE",\n      "mode": "NULLABLE",\n      "description": "The day',
    );
  });
});

describe("column descriptions", () => {
  it("reach every column of every mart, from the sidecar beside its SQL", () => {
    const kpi = derived.dm_kpi_daily!.find((f) => f.name === "dau");
    expect(kpi?.description).toBe("Users with at least one session that day.");
    for (const [mart, fields] of Object.entries(derived))
      for (const f of fields)
        expect([mart, f.name, Boolean(f.description)]).toEqual([mart, f.name, true]);
  });

  it("are required: a column without one stops the generator, naming mart and column", async () => {
    const withoutDau = (decl: MartDeclaration) => {
      const docs = { ...readColumnDocs(decl) };
      if (decl.name === "dm_kpi_daily") delete docs.dau;
      return docs;
    };
    await expect(deriveMartSchemas(server, MARTS, undefined, withoutDau)).rejects.toThrow(
      'marts.dm_kpi_daily.dau has no description: add "dau: ..." under columns: in sql/marts/dm_kpi_daily.yml',
    );
  });

  it("are compared too: a changed description makes the committed file stale", () => {
    const changed = {
      ...derived,
      dm_kpi_daily: derived.dm_kpi_daily!.map((f) =>
        f.name === "dau" ? { ...f, description: "old words" } : f,
      ),
    } as MartSchemas;
    expect(schemaDifferences(changed, derived)).toEqual([
      "dm_kpi_daily: descriptions of dau changed",
    ]);
  });
});

describe("assertSchemasCurrent", () => {
  it("fails on a column the SQL no longer selects, saying to run npm run sql:schemas", () => {
    const stale = {
      ...derived,
      dm_kpi_daily: [...derived.dm_kpi_daily!, { name: "gone", type: "INT64", mode: "NULLABLE" }],
    } as MartSchemas;
    expect(() => assertSchemasCurrent(stale, derived)).toThrow(/npm run sql:schemas/);
    expect(schemaDifferences(stale, derived)).toEqual(["dm_kpi_daily: file has gone INT64"]);
  });

  it("fails on a changed type, a missing mart and an undeclared one", () => {
    const fields = derived.dm_kpi_daily!;
    const changed = fields.map((f) => (f.name === "dau" ? { ...f, type: "FLOAT64" } : f));
    const stale: Record<string, MartSchemas[string]> = { ...derived, dm_kpi_daily: changed };
    delete stale.dm_churn_risk;
    stale.dm_old = fields;
    expect(schemaDifferences(stale, derived)).toEqual([
      "dm_churn_risk: missing from the file",
      "dm_kpi_daily: file has dau FLOAT64; SQL selects dau INT64",
      "dm_old: in the file but not a declared mart",
    ]);
  });

  it("fails when the columns are the same but in another order", () => {
    const reordered = { ...derived, dm_kpi_daily: [...derived.dm_kpi_daily!].reverse() };
    expect(schemaDifferences(reordered, derived)).toEqual([
      "dm_kpi_daily: columns in another order",
    ]);
  });
});

describe("deriveMartSchemas", () => {
  it("maps the analyzer's types to BigQuery's names, nullable, in select order", async () => {
    const columns = await outputOf(
      "select user_id, signup_date, anomaly_flag, cast(1.5 as numeric) as n, 2 as i, " +
        "0.5 as d, timestamp '2024-01-01 00:00:00+00' as ts from raw.users",
    );
    expect(bigQueryFields(columns, "q").map((f) => [f.name, f.type, f.mode])).toEqual([
      ["user_id", "STRING", "NULLABLE"],
      ["signup_date", "DATE", "NULLABLE"],
      ["anomaly_flag", "BOOL", "NULLABLE"],
      ["n", "NUMERIC", "NULLABLE"],
      ["i", "INT64", "NULLABLE"],
      ["d", "FLOAT64", "NULLABLE"],
      ["ts", "TIMESTAMP", "NULLABLE"],
    ]);
  });

  it("makes arrays REPEATED and structs RECORDs with nested fields", async () => {
    const columns = await outputOf(
      "select [1, 2] as ids, struct(1 as x, 'a' as y) as pair, " +
        "[struct(date '2024-01-01' as day, [0.5] as amounts)] as days",
    );
    expect(bigQueryFields(columns, "q")).toEqual([
      { name: "ids", type: "INT64", mode: "REPEATED" },
      {
        name: "pair",
        type: "RECORD",
        mode: "NULLABLE",
        fields: [
          { name: "x", type: "INT64", mode: "NULLABLE" },
          { name: "y", type: "STRING", mode: "NULLABLE" },
        ],
      },
      {
        name: "days",
        type: "RECORD",
        mode: "REPEATED",
        fields: [
          { name: "day", type: "DATE", mode: "NULLABLE" },
          { name: "amounts", type: "FLOAT64", mode: "REPEATED" },
        ],
      },
    ]);
  });

  it("refuses a type BigQuery cannot store as a column, naming the file and column", async () => {
    const range = await outputOf("select range(date '2024-01-01', date '2024-02-01') as period");
    expect(() => bigQueryFields(range, "marts/x.sql")).toThrow(
      /marts\/x\.sql: column period has type TYPE_RANGE/,
    );
    const unnamed = await outputOf("select struct(1, 2) as pair");
    expect(() => bigQueryFields(unnamed, "marts/x.sql")).toThrow(
      /not a valid BigQuery column name/,
    );
  });

  it("refuses SQL the analyzer rejects, with the file, line and column", async () => {
    const decl: MartDeclaration = { ...MARTS[0]!, name: "dm_broken", file: "marts/dm_broken.sql" };
    const sources = [
      {
        path: "marts/dm_broken.sql",
        sql: "select\n    nope\nfrom raw.users",
        produces: { dataset: "marts" as const, name: "dm_broken" },
      },
    ];
    await expect(deriveMartSchemas(server, [decl], sources)).rejects.toThrow(
      /marts\/dm_broken\.sql:2:5 Unrecognized name: nope/,
    );
  });

  it("derives a mart that reads another mart from that mart's resolved schema", async () => {
    const decls: MartDeclaration[] = ["dm_a", "dm_b"].map((name) => ({
      ...MARTS[0]!,
      name,
      file: `marts/${name}.sql`,
    }));
    const sources = [
      {
        path: "marts/dm_b.sql",
        sql: "select user_id, days * 2 as weeks from marts.dm_a",
        produces: { dataset: "marts" as const, name: "dm_b" },
      },
      {
        path: "marts/dm_a.sql",
        sql: "select user_id, date_diff(current_date(), signup_date, day) as days from raw.users",
        produces: { dataset: "marts" as const, name: "dm_a" },
      },
    ];
    const docs = { user_id: "The user.", days: "Days.", weeks: "Weeks." };
    const schemas = await deriveMartSchemas(server, decls, sources, (d) =>
      Object.fromEntries(
        Object.entries(docs).filter(([c]) => c !== (d.name === "dm_a" ? "weeks" : "days")),
      ),
    );
    expect(schemas.dm_b).toEqual([
      { name: "user_id", type: "STRING", mode: "NULLABLE", description: "The user." },
      { name: "weeks", type: "INT64", mode: "NULLABLE", description: "Weeks." },
    ]);
  });
});
