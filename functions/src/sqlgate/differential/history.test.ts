import { RAW_TABLE_NAMES } from "../../contract";
import { renderParams } from "../../sql/render";
import { readSql } from "../../sql/sqlFiles";
import { SqlAnalyzer } from "../analyzer";
import { CatalogTable, contractTables } from "../catalog";
import { TableRows } from "../evaluator";
import { Cell, ResultTable } from "../resultTable";
import { useEngines } from "./engines";
import { compareResults } from "./compare";
import { fixtureRows } from "./fixtures";
import { martsWithUpstream, runDifferential } from "./harness";
import { applyScriptInDuckDb, applyScriptInReference, referenceTable } from "./script";

const HISTORY_FILE = "rfm/rfm_segment_history.sql";
/** Two snapshots far enough apart that some users change segment, then the second again. */
const SNAPSHOT_DATES = ["2024-06-30", "2024-12-31", "2024-12-31"];

const engines = useEngines();
const states: { date: string; reference: ResultTable; duckdb: ResultTable }[] = [];

/** The history table as the script's own CREATE TABLE defines it, keyed by user and valid_from. */
async function historyTable(daily: CatalogTable): Promise<CatalogTable> {
  const analyzer = new SqlAnalyzer(engines.server, [...contractTables(), daily]);
  try {
    const analysis = await analyzer.analyze(readSql(HISTORY_FILE));
    if (!analysis.ok) throw new Error(`${HISTORY_FILE}: ${analysis.issue.message}`);
    const created = analysis.statements.find((s) => s.createdTable)?.createdTable;
    if (!created) throw new Error(`${HISTORY_FILE} creates no table`);
    const key = ["user_id", "valid_from"].map((n) =>
      created.columns.findIndex((c) => c.name === n),
    );
    if (key.includes(-1)) throw new Error(`${HISTORY_FILE}: no user_id/valid_from columns`);
    return { ...created, primaryKey: key };
  } finally {
    await analyzer.close();
  }
}

beforeAll(async () => {
  const raw = fixtureRows();
  const marts = martsWithUpstream(["rfm_daily"]);
  let history: TableRows | undefined;
  for (const date of SNAPSHOT_DATES) {
    const outcomes = await runDifferential(engines.server, engines.db.connection, raw, marts, {
      runDate: date,
    });
    const bad = outcomes.filter((o) => o.error || o.differences.length > 0);
    if (bad.length > 0) throw new Error(`rfm marts disagree at ${date}: ${JSON.stringify(bad)}`);
    const daily = outcomes.find((o) => o.name === "rfm_daily")!.reference!;
    const dailyTable: CatalogTable = {
      dataset: "snapshots",
      name: "rfm_daily",
      columns: daily.catalogColumns,
    };
    history ??= { table: await historyTable(dailyTable), rows: [] };
    const others: TableRows[] = [
      ...contractTables().map((t) => ({
        table: t,
        rows: raw[RAW_TABLE_NAMES.find((n) => n === t.name)!],
      })),
      { table: dailyTable, rows: daily.rows },
    ];
    const script = renderParams(readSql(HISTORY_FILE), { snapshot_date: { date } });
    const rows: Cell[][] = await applyScriptInReference(engines.server, script, history, others);
    history = { table: history.table, rows };
    const duckdb = await applyScriptInDuckDb(engines.db.connection, script, history.table);
    states.push({ date, reference: referenceTable(history.table, rows), duckdb });
  }
});

describe("the RFM history script in DuckDB and in the GoogleSQL reference evaluator", () => {
  it("leaves the same history after each snapshot date", () => {
    expect(states.map((s) => s.date)).toEqual(SNAPSHOT_DATES);
    for (const state of states) {
      expect([state.date, compareResults(state.reference, state.duckdb)]).toEqual([state.date, []]);
    }
  });

  it("closes the periods of users whose segment changed, so the case is exercised", () => {
    const [, second] = states;
    const validTo = second!.reference.columns.findIndex((c) => c.name === "valid_to");
    expect(second!.reference.rows.some((r) => r[validTo] !== null)).toBe(true);
    expect(second!.reference.rows.length).toBeGreaterThan(states[0]!.reference.rows.length);
  });

  it("is idempotent in both engines: re-applying the latest date changes nothing", () => {
    const [, second, again] = states;
    expect(compareResults(second!.reference, again!.reference)).toEqual([]);
    expect(compareResults(second!.duckdb, again!.duckdb)).toEqual([]);
  });
});
