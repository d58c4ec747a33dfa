import { RAW_TABLE_LIST } from "../contract";
import { toDuckDb } from "../sql/translate";
import { contractTables } from "../sqlgate/catalog";
import { compareResults } from "../sqlgate/differential/compare";
import { duckDbResult } from "../sqlgate/differential/duckdbSide";
import { evaluateQuery, TableRows } from "../sqlgate/evaluator";
import { AnalyzerServer, startAnalyzer, stopAnalyzer } from "../sqlgate/server";
import { listChecks } from "./index";
import { CORRUPTIONS, Corruption } from "./testing/corruptions";
import { fixtureWarehouse } from "./testing/fixtureShop";

/**
 * The checks run on DuckDB after translation; BigQuery must reach the same verdict. For the clean
 * fixture and for every corruption, the GoogleSQL reference evaluator (BigQuery's semantics) and
 * DuckDB must return the same violating rows, so a translation slip cannot hide a violation or
 * invent one.
 */
let server: AnalyzerServer;
beforeAll(async () => {
  server = await startAnalyzer();
});
afterAll(() => stopAnalyzer());

const checkSql = new Map(listChecks().map((c) => [c.name, c.sql]));

async function compareChecks(corruption: Corruption | undefined, names: readonly string[]) {
  const warehouse = await fixtureWarehouse(corruption);
  try {
    const tables: TableRows[] = [];
    for (const table of contractTables()) {
      const def = RAW_TABLE_LIST.find((t) => t.name === table.name)!;
      const columns = def.columns.map((c) => c.name).join(", ");
      const sql = `select ${columns} from raw.${def.name} order by ${def.primaryKey}`;
      tables.push({ table, rows: (await duckDbResult(warehouse.connection, sql)).rows });
    }
    const outcomes = [];
    for (const name of names) {
      const sql = checkSql.get(name)!;
      const reference = await evaluateQuery(server, sql, tables);
      const duckdb = await duckDbResult(warehouse.connection, await toDuckDb(sql));
      outcomes.push({
        name,
        referenceRows: reference.rows.length,
        duckdbRows: duckdb.rows.length,
        differences: compareResults(reference, duckdb),
      });
    }
    return outcomes;
  } finally {
    await warehouse.close();
  }
}

describe("the GoogleSQL reference evaluator and DuckDB agree", () => {
  it("that the clean fixture passes every check", async () => {
    const outcomes = await compareChecks(undefined, [...checkSql.keys()]);
    expect(outcomes.filter((o) => o.referenceRows > 0 || o.differences.length > 0)).toEqual([]);
  });

  it.each(CORRUPTIONS.map((c) => [c.name, c] as const))(
    "on the violating rows of %s",
    async (_name, corruption) => {
      const outcomes = await compareChecks(corruption, corruption.expect);
      for (const o of outcomes) {
        expect({ name: o.name, found: o.referenceRows > 0, differences: o.differences }).toEqual({
          name: o.name,
          found: true,
          differences: [],
        });
      }
    },
  );
});
