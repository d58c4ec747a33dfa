import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { CLV_TABLES } from "../clv/clvTables";
import { duckdbColumns, duckdbCreateTable, RAW_TABLE_LIST } from "../contract";
import { MART_PARAMETERS } from "../marts/martParameters";
import { renderParams, SqlParam } from "../sql/render";
import { toDuckDb } from "../sql/translate";
import { closeDuckDb, openDuckDb } from "../warehouse/duckdb";
import type { SqlIssue } from "./analyzer";
import type { SqlSource } from "./sqlSources";

/**
 * The gate's second opinion: SQL that BigQuery accepts can still translate into SQL DuckDB cannot
 * run (a column inside `interval x day`, a function with no DuckDB twin). Each source is
 * translated with the project's own `toDuckDb` and run on empty contract tables in an in-memory
 * DuckDB; marts are materialised there (empty) so the marts that read them bind too.
 */

/** Dates the check renders parameters with (any valid date does, the tables are empty). */
const CHECK_PARAMS: Record<string, SqlParam> = {
  ...MART_PARAMETERS,
  run_date: { date: "2024-01-31" },
  from_date: { date: "2024-01-01" },
  snapshot_date: { date: "2024-01-31" },
};

export class DuckDbTranslationCheck {
  private constructor(
    private readonly db: { instance: DuckDBInstance; connection: DuckDBConnection },
  ) {}

  /**
   * An empty warehouse with the contract's raw tables, the `marts`/`snapshots` schemas and the
   * tables written from code (the CLV step's).
   */
  static async open(): Promise<DuckDbTranslationCheck> {
    const db = await openDuckDb(":memory:", { threads: 1 });
    for (const schema of ["raw", "marts", "snapshots"]) {
      await db.connection.run(`create schema ${schema}`);
    }
    for (const table of RAW_TABLE_LIST) await db.connection.run(duckdbCreateTable(table, "raw"));
    // The tables the CLV step writes from code, so the marts that read them bind.
    for (const table of CLV_TABLES) {
      await db.connection.run(
        `create table ${table.dataset}.${table.name} (\n    ${duckdbColumns(table)}\n)`,
      );
    }
    return new DuckDbTranslationCheck(db);
  }

  /** Undefined when DuckDB runs the translation; otherwise an issue at the file's first line. */
  async check(source: SqlSource): Promise<SqlIssue | undefined> {
    let translated: string;
    try {
      translated = (await toDuckDb(renderParams(source.sql, CHECK_PARAMS))).trim();
    } catch (error) {
      const e = error as Error & { line?: number; column?: number };
      return {
        line: e.line ?? 1,
        column: e.column ?? 1,
        message: `No DuckDB translation: ${e.message}`,
      };
    }
    const body = translated.replace(/;\s*$/, "");
    const statement = source.produces
      ? isSingleQuery(body)
        ? `create or replace table ${source.produces.dataset}.${source.produces.name} as\n${body}`
        : body
      : body;
    try {
      await this.db.connection.run(statement);
      return undefined;
    } catch (error) {
      const message = (error as Error).message.split("\n")[0]!;
      return { line: 1, column: 1, message: `DuckDB cannot run the translation: ${message}` };
    }
  }

  close(): void {
    closeDuckDb(this.db);
  }
}

/** One `select`/`with` statement (a mart), not a script of DDL and DML. */
function isSingleQuery(sql: string): boolean {
  const code = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:''|[^'])*'/g, " ");
  return /^\s*\(*\s*(with|select)\b/i.test(code) && !/;\s*\S/.test(code);
}
