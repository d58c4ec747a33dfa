import { renderMartParameters } from "../../marts/martParameters";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { RawTableName } from "../../contract";
import { MARTS, type MartDeclaration } from "../../marts/catalog";
import { martSql } from "../../marts/martParameters";
import { renderParams, SqlParam } from "../../sql/render";
import { readSql } from "../../sql/sqlFiles";
import { toDuckDb } from "../../sql/translate";
import { CatalogColumn, contractTables } from "../catalog";
import { evaluateQuery, TableRows } from "../evaluator";
import { dependencyOrder, tableReferences } from "../gate";
import { ResultTable } from "../resultTable";
import { AnalyzerServer } from "../server";
import { compareResults } from "./compare";
import { duckDbResult, loadRawRows, RawRows, runMartInDuckDb } from "./duckdbSide";

/**
 * One differential run: the same raw rows given to DuckDB and to the GoogleSQL reference
 * evaluator, every mart computed by both in dependency order (each engine reading its own
 * results for upstream marts), and the answers compared.
 */

export interface MartOutcome {
  readonly name: string;
  /** The evaluator's answer, with its schema as catalog columns (to feed it to later queries). */
  readonly reference?: ResultTable & { readonly catalogColumns: readonly CatalogColumn[] };
  readonly duckdb?: ResultTable;
  /** Readable differences; empty when the engines agree. */
  readonly differences: readonly string[];
  /** Set when an engine could not run the mart at all. */
  readonly error?: string;
}

export interface DifferentialOptions {
  readonly runDate: string;
  /** First day of a date-spine mart's range (`@from_date`); defaults to `runDate`. */
  readonly fromDate?: string;
  /** Defaults to `runDate`. */
  readonly snapshotDate?: string;
  /** Read a mart's SQL; defaults to the file under `sql/`. */
  readonly readMartSql?: (decl: MartDeclaration) => string;
  /**
   * Queries that read the marts without being materialised (for example the RFM refresh job's
   * segment counts and movements), compared after every mart has been computed.
   */
  readonly queries?: readonly { readonly name: string; readonly sql: string }[];
  /** Applied to each mart's DuckDB SQL after `toDuckDb`, to try a proposed rewrite. */
  readonly rewriteDuckDb?: (duckDbSql: string) => string;
}

/**
 * Runs `marts` on both engines over `raw` and returns one outcome per mart, in dependency order.
 * The DuckDB connection gets schemas `raw`, `marts`, `snapshots` (existing tables replaced).
 */
export async function runDifferential(
  server: AnalyzerServer,
  connection: DuckDBConnection,
  raw: RawRows,
  marts: readonly MartDeclaration[],
  options: DifferentialOptions,
): Promise<MartOutcome[]> {
  await loadRawRows(connection, raw);
  const params: Record<string, SqlParam> = {
    run_date: { date: options.runDate },
    from_date: { date: options.fromDate ?? options.runDate },
    snapshot_date: { date: options.snapshotDate ?? options.runDate },
  };
  const read = options.readMartSql ?? martSql;
  const sources = marts.map((decl) => ({
    path: decl.file,
    sql: read(decl),
    produces: { dataset: decl.dataset, name: decl.name },
    decl,
  }));
  const { ordered, cyclic } = dependencyOrder(sources);
  const evaluatorTables: TableRows[] = contractTables().map((table) => ({
    table,
    rows: raw[table.name as RawTableName],
  }));
  const failed = new Set<string>();
  const outcomes: MartOutcome[] = cyclic.map((s) => ({
    name: s.decl.name,
    differences: [],
    error: "circular dependency",
  }));
  for (const source of ordered) {
    const { decl } = source;
    const upstreamFailed = [...failed].filter((n) => new RegExp(`\\.${n}\\b`).test(source.sql));
    if (upstreamFailed.length > 0) {
      failed.add(decl.name);
      outcomes.push({
        name: decl.name,
        differences: [],
        error: `reads ${upstreamFailed.join(", ")}, which could not be computed`,
      });
      continue;
    }
    const rendered = renderParams(source.sql, params);
    let reference: Awaited<ReturnType<typeof evaluateQuery>> | undefined;
    let duckdb: ResultTable | undefined;
    const errors: string[] = [];
    try {
      reference = await evaluateQuery(server, rendered, evaluatorTables);
    } catch (error) {
      errors.push((error as Error).message);
    }
    try {
      duckdb = await runMartInDuckDb(connection, rendered, decl, options.rewriteDuckDb);
    } catch (error) {
      errors.push(`DuckDB: ${(error as Error).message}`);
    }
    if (!reference || !duckdb) {
      failed.add(decl.name);
      outcomes.push({
        name: decl.name,
        reference,
        duckdb,
        differences: [],
        error: errors.join("; "),
      });
      continue;
    }
    evaluatorTables.push({
      table: { dataset: decl.dataset, name: decl.name, columns: reference.catalogColumns },
      rows: reference.rows,
    });
    outcomes.push({
      name: decl.name,
      reference,
      duckdb,
      differences: compareResults(reference, duckdb),
    });
  }
  for (const query of options.queries ?? []) {
    outcomes.push(await compareQuery(server, connection, evaluatorTables, query, params));
  }
  return outcomes;
}

/** One query on both engines over tables already loaded (DuckDB) and given (evaluator). */
async function compareQuery(
  server: AnalyzerServer,
  connection: DuckDBConnection,
  tables: readonly TableRows[],
  query: { readonly name: string; readonly sql: string },
  params: Record<string, SqlParam>,
): Promise<MartOutcome> {
  // A check or query restating a mart's rule (the campaign eligibility) takes the mart
  // parameters, as the checks runner renders them (checkFiles.ts).
  const rendered = renderParams(renderMartParameters(query.sql), params);
  try {
    const reference = await evaluateQuery(server, rendered, tables);
    const duckdb = await duckDbResult(connection, await toDuckDb(rendered));
    return { name: query.name, reference, duckdb, differences: compareResults(reference, duckdb) };
  } catch (error) {
    return { name: query.name, differences: [], error: (error as Error).message };
  }
}

/**
 * The same comparison for queries that only read raw tables, such as the data-quality checks:
 * each is run by both engines over `raw` (nothing is materialised).
 */
export async function runQueryDifferential(
  server: AnalyzerServer,
  connection: DuckDBConnection,
  raw: RawRows,
  queries: readonly { readonly name: string; readonly sql: string }[],
  runDate: string,
): Promise<MartOutcome[]> {
  await loadRawRows(connection, raw);
  const tables: TableRows[] = contractTables().map((table) => ({
    table,
    rows: raw[table.name as RawTableName],
  }));
  const params = {
    run_date: { date: runDate },
    from_date: { date: runDate },
    snapshot_date: { date: runDate },
  };
  const outcomes: MartOutcome[] = [];
  for (const query of queries) {
    outcomes.push(await compareQuery(server, connection, tables, query, params));
  }
  return outcomes;
}

/** The named marts and every mart they read, transitively, in declaration order. */
export function martsWithUpstream(
  names: readonly string[],
  marts: readonly MartDeclaration[] = MARTS,
  readMartSql: (decl: MartDeclaration) => string = (d) => readSql(d.file),
): MartDeclaration[] {
  const wanted = new Set(names);
  for (let grew = true; grew;) {
    grew = false;
    for (const m of marts.filter((d) => wanted.has(d.name))) {
      for (const ref of tableReferences(readMartSql(m))) {
        const name = ref.key.split(".")[1]!;
        if (!wanted.has(name) && marts.some((d) => d.name === name)) {
          wanted.add(name);
          grew = true;
        }
      }
    }
  }
  return marts.filter((m) => wanted.has(m.name));
}
