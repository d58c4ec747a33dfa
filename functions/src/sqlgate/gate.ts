import { BANNED_CONSTRUCTS } from "../sql/translate";
import { SqlAnalyzer, SqlIssue } from "./analyzer";
import { CatalogTable, codeWrittenTables, contractTables } from "./catalog";
import { DuckDbTranslationCheck } from "./duckdbCheck";
import { AnalyzerServer } from "./server";
import { SqlSource } from "./sqlSources";

/**
 * The SQL gate: every SQL text we ship is analysed as BigQuery would analyse it, and rejected if
 * it uses a construct that the DuckDB translation gets wrong: one of translate.ts's banned
 * constructs (matched on the whole text, comments included, exactly as `toDuckDb` matches them),
 * or a translation DuckDB cannot run. Marts that read other marts are analysed after them, against
 * the output schemas the analyzer resolved for them.
 */

export interface GateResult {
  readonly path: string;
  /** Empty when the SQL passed. */
  readonly issues: readonly SqlIssue[];
  /** The schema the analyzer resolved for a mart or snapshot, when it passed. */
  readonly output?: CatalogTable;
}

/** `marts/x.sql:3:7 Unrecognized name: nope`, the form editors and CI annotate. */
export function formatIssue(path: string, issue: SqlIssue): string {
  return `${path}:${issue.line}:${issue.column} ${issue.message}`;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/**
 * Banned constructs (translate.ts's list, the same one the DuckDB translation enforces), each at
 * the position of its first match.
 */
export function bannedConstructIssues(sql: string): SqlIssue[] {
  const issues: SqlIssue[] = [];
  for (const banned of BANNED_CONSTRUCTS) {
    const flags = banned.pattern.flags.replace("g", "");
    const match = new RegExp(banned.pattern.source, flags).exec(sql);
    if (!match) continue;
    issues.push({ ...lineColumn(sql, match.index), message: `Banned construct: ${banned.reason}` });
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

interface Reference {
  readonly key: string;
  readonly offset: number;
}

const NON_CODE = /--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g;

/** The SQL with comments and string literals blanked to spaces, so offsets stay those of `sql`. */
export function codeOnly(sql: string): string {
  return sql.replace(NON_CODE, (m) => m.replace(/[^\n]/g, " "));
}

/** `marts.x` / `snapshots.x` names the SQL reads or writes (outside comments and strings). */
export function tableReferences(sql: string): Reference[] {
  const refs: Reference[] = [];
  for (const m of codeOnly(sql).matchAll(/(?<![\w.])`?(marts|snapshots)`?\.`?([A-Za-z_]\w*)/g)) {
    refs.push({ key: `${m[1]}.${m[2]}`, offset: m.index });
  }
  return refs;
}

function producedKey(source: SqlSource): string | undefined {
  return source.produces ? `${source.produces.dataset}.${source.produces.name}` : undefined;
}

/**
 * Orders sources so that each comes after the sources producing tables it reads. Ties keep the
 * given order; a cycle is returned separately so each of its members can be reported.
 */
export function dependencyOrder<T extends SqlSource>(
  sources: readonly T[],
): {
  ordered: T[];
  cyclic: T[];
} {
  const producers = new Map<string, T>();
  for (const s of sources) {
    const key = producedKey(s);
    if (key) producers.set(key, s);
  }
  const deps = new Map<T, Set<T>>();
  for (const s of sources) {
    const set = new Set<T>();
    for (const ref of tableReferences(s.sql)) {
      const producer = producers.get(ref.key);
      if (producer && producer !== s) set.add(producer);
    }
    deps.set(s, set);
  }
  const ordered: T[] = [];
  const placed = new Set<T>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const s of sources) {
      if (placed.has(s)) continue;
      if ([...deps.get(s)!].every((d) => placed.has(d))) {
        ordered.push(s);
        placed.add(s);
        progress = true;
      }
    }
  }
  return { ordered, cyclic: sources.filter((s) => !placed.has(s)) };
}

/**
 * Runs the gate over `sources` (usually `fileSources()` plus `contractCheckSources()`). Each
 * source gets one result; a mart whose dependency failed is reported at its reference to it,
 * rather than with a confusing "table not found".
 */
export interface GateOptions {
  /**
   * Also translate each source with `toDuckDb` and run it on empty tables in DuckDB (default
   * true): BigQuery-valid SQL whose translation DuckDB cannot run fails here, not in the runner.
   */
  readonly duckdb?: boolean;
}

export async function runGate(
  server: AnalyzerServer,
  sources: readonly SqlSource[],
  options: GateOptions = {},
): Promise<GateResult[]> {
  const analyzer = new SqlAnalyzer(server, [...contractTables(), ...codeWrittenTables()]);
  const duckdb = options.duckdb === false ? undefined : await DuckDbTranslationCheck.open();
  const failed = new Map<string, string>();
  const results = new Map<SqlSource, GateResult>();
  const { ordered, cyclic } = dependencyOrder(sources);
  try {
    for (const source of cyclic) {
      results.set(source, {
        path: source.path,
        issues: [{ line: 1, column: 1, message: "Circular dependency between marts" }],
      });
    }
    for (const source of ordered) {
      let result = await gateOne(analyzer, source, failed);
      if (duckdb && result.issues.length === 0) {
        const issue = await duckdb.check(source);
        if (issue) result = { path: source.path, issues: [issue] };
      }
      results.set(source, result);
      const key = producedKey(source);
      if (key && result.issues.length > 0) failed.set(key, source.path);
    }
  } finally {
    await analyzer.close();
    duckdb?.close();
  }
  return sources.map((s) => results.get(s)!);
}

async function gateOne(
  analyzer: SqlAnalyzer,
  source: SqlSource,
  failed: ReadonlyMap<string, string>,
): Promise<GateResult> {
  const issues = bannedConstructIssues(source.sql);
  for (const ref of tableReferences(source.sql)) {
    const failedPath = failed.get(ref.key);
    if (failedPath) {
      issues.push({
        ...lineColumn(source.sql, ref.offset),
        message: `Reads ${ref.key}, whose SQL (${failedPath}) has errors`,
      });
    }
  }
  if (issues.length > 0) return { path: source.path, issues };

  const analysis = await analyzer.analyze(source.sql);
  if (!analysis.ok) return { path: source.path, issues: [analysis.issue] };
  if (!source.produces) return { path: source.path, issues: [] };

  const query = [...analysis.statements].reverse().find((s) => s.outputColumns);
  const created = analysis.statements.find(
    (s) =>
      s.createdTable?.dataset === source.produces!.dataset &&
      s.createdTable.name === source.produces!.name,
  );
  const columns = query?.outputColumns ?? created?.createdTable?.columns;
  if (!columns) return { path: source.path, issues: [] };
  const output: CatalogTable = { ...source.produces, columns };
  analyzer.addTable(output);
  return { path: source.path, issues: [], output };
}
