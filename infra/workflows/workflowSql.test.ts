/**
 * The SQL the workflows send to BigQuery, checked by the GoogleSQL analyzer (the front end
 * BigQuery is built on), as the SQL gate checks `sql/`: every check job as the workflow sends it
 * (wrapped and compacted), and the run-record insert against the bookkeeping tables.
 */
import { BigQueryWarehouse } from "../../functions/src/backends/bigqueryWarehouse";
import { listChecks } from "../../functions/src/checks";
import { RAW_TABLES } from "../../functions/src/contract";
import { META_TABLES } from "../../functions/src/contract/metaTables";
import {
  contractTables,
  SqlAnalyzer,
  startAnalyzer,
  stopAnalyzer,
  TYPE_KINDS,
  type AnalyzerServer,
  type CatalogTable,
} from "../../functions/src/sqlgate";
import { martByName } from "../../functions/src/marts/catalog";
import { readSql } from "../../functions/src/sql/sqlFiles";
import { committedMartSchemas, martTableFields } from "../martTableSchemas";
import { rangeMartScript } from "./backfillWorkflow";
import { checkJobSql, compactSql } from "./chainSteps";
import { recordRunSubworkflow } from "./steps";

const LOGICAL = { raw: "raw", marts: "marts", snapshots: "snapshots" } as const;

const metaTables: CatalogTable[] = META_TABLES.map((t) => ({
  dataset: t.dataset,
  name: t.name,
  columns: t.columns.map((c) => ({ name: c.name, type: { typeKind: TYPE_KINDS[c.type] } })),
}));

let server: AnalyzerServer;
let analyzer: SqlAnalyzer;
beforeAll(async () => {
  server = await startAnalyzer();
  analyzer = new SqlAnalyzer(server, [...contractTables(), ...metaTables]);
});
afterAll(async () => {
  await analyzer.close();
  await stopAnalyzer();
});

describe("SQL the workflows run", () => {
  it("every check job, wrapped and compacted as sent, is valid GoogleSQL", async () => {
    for (const check of listChecks()) {
      const result = await analyzer.analyze(compactSql(checkJobSql(check.name, check.sql)));
      expect({ check: check.name, ok: result.ok, issue: result.ok ? null : result.issue }).toEqual({
        check: check.name,
        ok: true,
        issue: null,
      });
    }
  });

  it("the analyzer rejects a wrapper around broken check SQL (so a pass means something)", async () => {
    const result = await analyzer.analyze(
      compactSql(checkJobSql("broken", "select no_such_column from raw.users")),
    );
    expect(result.ok).toBe(false);
  });

  it("compacting keeps string literals and drops comments", () => {
    const out = compactSql("select  'a  --  b' as x -- note\n,   2 /* c */ as y\n\n");
    expect(out).toContain("'a  --  b'");
    expect(out).not.toMatch(/note|\/\*|\n/);
    expect(out.split("'")[2]!.replace(/ +/g, " ")).toBe(" as x , 2 as y");
  });

  it("the run-record insert is valid GoogleSQL against the bookkeeping tables", async () => {
    const record = recordRunSubworkflow({
      project: "p",
      location: "US",
      datasets: LOGICAL,
      maximumBytesBilled: 1,
    }) as {
      steps: Record<string, { args: { body: { configuration: { query: { query: string } } } } }>[];
    };
    const sql = record.steps[0]!.insert_run_record!.args.body.configuration.query.query;
    const declared = sql.replace(/@(\w+)/g, "cast(null as string)");
    const result = await analyzer.analyze(declared);
    expect(result.ok ? null : result.issue).toBeNull();
  });

  it("the backfill's range replacement of dm_kpi_daily is a valid GoogleSQL transaction", async () => {
    const decl = martByName("dm_kpi_daily");
    const sql = readSql(decl.file);
    const analysed = await analyzer.analyze(sql);
    expect(analysed.ok).toBe(true);
    if (!analysed.ok) return;
    analyzer.addTable({
      dataset: "marts",
      name: decl.name,
      columns: analysed.statements[0]!.outputColumns!,
    });
    const script = rangeMartScript(
      {
        name: decl.name,
        dataset: "marts",
        partitionColumn: decl.partitioning!.column,
        columns: martTableFields(decl, committedMartSchemas()).map((f) => f.name),
        sql,
        dependsOn: [],
      },
      LOGICAL,
    );
    // The analyzer declares @run_date; @from_date is bound by the workflow (a DATE as well).
    const result = await analyzer.analyze(script.replace(/@from_date/g, "date '2024-01-01'"));
    expect(result.ok ? null : result.issue).toBeNull();
  });

  it("the multi-day load's swap is a valid GoogleSQL transaction for every partitioned raw table", async () => {
    const warehouse = new BigQueryWarehouse(
      { createJob: () => Promise.reject(new Error("unused")), dataset: () => ({}) as never },
      { project: "p", location: "US", datasets: LOGICAL },
    );
    for (const table of contractTables()) {
      if (!RAW_TABLES[table.name as keyof typeof RAW_TABLES].partitionColumn) continue;
      analyzer.addTable({ ...table, name: `_staging_${table.name}` });
      const sql = warehouse
        .stagedReplaceSql(table.name as keyof typeof RAW_TABLES, `_staging_${table.name}`)
        .replace(/@first_day|@last_day/g, "date '2024-01-01'")
        .replace(/@days/g, "[date '2024-01-01']");
      const result = await analyzer.analyze(sql);
      expect({ table: table.name, issue: result.ok ? null : result.issue }).toEqual({
        table: table.name,
        issue: null,
      });
    }
  });
});
