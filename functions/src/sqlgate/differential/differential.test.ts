import { MARTS } from "../../marts/catalog";
import { closeDuckDb, openDuckDb } from "../../warehouse/duckdb";
import { AnalyzerServer, startAnalyzer, stopAnalyzer } from "../server";
import { listSqlFiles } from "../sqlSources";
import { readSql, sqlRoot } from "../../sql/sqlFiles";
import { codeOnly } from "../gate";
import { FIXTURE_RUN_DATE, fixtureRows } from "./fixtures";
import { MartOutcome, runDifferential } from "./harness";

let server: AnalyzerServer;
let db: Awaited<ReturnType<typeof openDuckDb>>;
let outcomes: Map<string, MartOutcome>;

beforeAll(async () => {
  server = await startAnalyzer();
  db = await openDuckDb(":memory:", { threads: 1 });
  const results = await runDifferential(server, db.connection, fixtureRows(), MARTS, {
    runDate: FIXTURE_RUN_DATE,
  });
  outcomes = new Map(results.map((o) => [o.name, o]));
});

afterAll(async () => {
  if (db) closeDuckDb(db);
  await stopAnalyzer();
});

describe("DuckDB agrees with the GoogleSQL reference evaluator on the hand-written shop", () => {
  it("has a differential case for every mart and snapshot query under sql/", () => {
    // A file whose first statement is a query is a mart or snapshot; the RFM history file is a
    // MERGE (no result to compare) and is checked by the gate only.
    const queries = listSqlFiles(sqlRoot())
      .filter((p) => /^(marts|rfm)\//.test(p))
      .filter((p) => /^\s*\(*\s*(with|select)\b/i.test(codeOnly(readSql(p))));
    const declared = new Set(MARTS.map((m) => m.file));
    const undeclared = queries.filter((p) => !declared.has(p));
    expect(undeclared).toEqual([]);
    expect(MARTS.length).toBeGreaterThan(0);
  });

  it.each(MARTS.map((m) => [m.name]))("%s: same rows, same columns", (name) => {
    const outcome = outcomes.get(name)!;
    expect(outcome.error).toBeUndefined();
    expect(outcome.differences).toEqual([]);
    // A mart that is empty on the fixture proves nothing; the fixture must exercise it.
    expect(outcome.reference?.rows.length).toBeGreaterThan(0);
  });
});
