import { Dialect, transpile } from "@polyglot-sql/sdk";
import { DUCKDB_REWRITES, initTranslator, toDuckDb } from "../../sql/translate";
import { evaluateQuery } from "../evaluator";
import { useEngines } from "./engines";
import { duckDbResult } from "./duckdbSide";

const engines = useEngines();

// Half-cent values (k + 0.5) / 100 and a few negatives and large amounts: where rounding differs.
// Then values nowhere near a half, of both signs and up to a billion, which the translation
// rounds by another path (only values next to a half are printed).
const VALUES = [
  ...Array.from({ length: 3000 }, (_, k) => `${k}.5 / 100`),
  ...Array.from({ length: 500 }, (_, k) => `${k * 7919}.37 / 7`),
  ...Array.from({ length: 500 }, (_, k) => `-${k * 104729}.123 / 3`),
  ...Array.from({ length: 100 }, (_, k) => `${(k + 1) * 9876543}.2109`),
  "164.97 / 2",
  "-0.015",
  "-2.675",
  "123456789.125",
  "cast(null as float64)",
];
const SQL = `select x, round(x, 2) as r, round(x) as r0 from unnest([${VALUES.join(", ")}]) as x`;

const ROUND_REWRITE = DUCKDB_REWRITES.find((r) => r.name === "round like BigQuery")!;

/** The translation with the ROUND rewrite taken back out: DuckDB's own round(). */
async function naiveTranslation(sql: string): Promise<string> {
  await initTranslator();
  return transpile(sql, Dialect.BigQuery, Dialect.DuckDB).sql!.join(";\n");
}

/** x -> [round(x, 2), round(x)] per engine; rows compared by x. */
async function disagreements(translate: (sql: string) => Promise<string>): Promise<number> {
  const reference = await evaluateQuery(engines.server, SQL, []);
  const duck = await duckDbResult(engines.db.connection, await translate(SQL));
  const expected = new Map(reference.rows.map((r) => [r[0], JSON.stringify(r.slice(1))]));
  return duck.rows.filter((r) => expected.get(r[0]) !== JSON.stringify(r.slice(1))).length;
}

describe("ROUND in the DuckDB translation", () => {
  it("is needed: a plain translation of round(x, 2) differs from GoogleSQL on half-cent doubles", async () => {
    expect(await disagreements(naiveTranslation)).toBeGreaterThan(100);
  });

  it("toDuckDb makes DuckDB round exactly as the GoogleSQL reference evaluator does", async () => {
    expect(await disagreements(toDuckDb)).toBe(0);
  });

  it("rewrites nested calls and leaves strings and one-argument calls alone", () => {
    const out = ROUND_REWRITE.apply("SELECT ROUND(ROUND(a, 2) / b, 1), 'round(x, 2)', round(c)");
    // Every two-argument call is rewritten, the inner one inside the outer's value.
    expect(out).not.toMatch(/ROUND\(\s*a\s*,\s*2\s*\)/i);
    expect(out).toContain("CAST(printf('%.30f', CAST(a AS DOUBLE)) AS DECIMAL(38, 24)), 2)");
    expect(out).toMatch(/^SELECT \(CASE WHEN .* END\), 'round\(x, 2\)', round\(c\)$/);
  });
});
