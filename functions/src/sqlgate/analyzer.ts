import { TypeKind } from "@fivetrandevelopers/zetasql";
import type { AnalyzerOptionsProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/AnalyzerOptionsProto";
import type { LanguageOptionsProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/LanguageOptionsProto";
import type { AnalyzeResponse__Output } from "@fivetrandevelopers/zetasql/lib/types/zetasql/local_service/AnalyzeResponse";
import { MART_PARAMETERS } from "../marts/martParameters";
import { CatalogColumn, CatalogTable, Dataset, qualifiedName, simpleCatalog } from "./catalog";
import { AnalyzerServer } from "./server";

/**
 * Analyses GoogleSQL text (one statement or a script of several) against a catalog, the way
 * BigQuery would before running it: names, types, function signatures and dialect rules.
 */

/**
 * The query parameters our SQL may use; any other `@name` is an error, as in BigQuery. The mart
 * parameters (integers, rendered into the text before a mart runs) are declared as INT64, the
 * type of the literal they become.
 */
export const QUERY_PARAMETERS = [
  { name: "run_date", type: { typeKind: TypeKind.TYPE_DATE } },
  { name: "from_date", type: { typeKind: TypeKind.TYPE_DATE } },
  { name: "snapshot_date", type: { typeKind: TypeKind.TYPE_DATE } },
  ...Object.keys(MART_PARAMETERS).map((name) => ({
    name,
    type: { typeKind: TypeKind.TYPE_INT64 },
  })),
] as const;

/**
 * BigQuery's default time zone. The analyzer's own default is America/Los_Angeles, under which
 * `date(ts)` of a UTC-midnight timestamp is the day before: the oracle would disagree with
 * BigQuery, not just with DuckDB.
 */
export const DEFAULT_TIME_ZONE = "UTC";

/** The analyzer options every gate and evaluator call uses. */
export function analyzerOptions(languageOptions: LanguageOptionsProto): AnalyzerOptionsProto {
  return {
    languageOptions,
    errorMessageMode: "ERROR_MESSAGE_ONE_LINE",
    defaultTimezone: DEFAULT_TIME_ZONE,
    queryParameters: QUERY_PARAMETERS.map((p) => ({ name: p.name, type: { ...p.type } })),
  };
}

/** A problem at a 1-based line and column of the analysed text. */
export interface SqlIssue {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface AnalyzedStatement {
  /** The resolved node kind, for example `resolvedQueryStmtNode` or `resolvedMergeStmtNode`. */
  readonly kind: string;
  /** Output columns of a query (the schema a mart's destination table gets). */
  readonly outputColumns?: readonly CatalogColumn[];
  /** A table a `create table` statement defines, for the statements that follow it. */
  readonly createdTable?: CatalogTable;
}

export type AnalysisResult =
  | { readonly ok: true; readonly statements: readonly AnalyzedStatement[] }
  | { readonly ok: false; readonly issue: SqlIssue };

const AT_POSITION = /\s*\[at (?:[^\]]*:)?(\d+):(\d+)\]\s*$/;

/** Splits the analyzer's one-line message (`Unrecognized name: x [at 3:5]`) into text and position. */
export function parseAnalyzerMessage(details: string): SqlIssue {
  const m = AT_POSITION.exec(details);
  if (!m) return { line: 1, column: 1, message: details.trim() };
  return { line: Number(m[1]), column: Number(m[2]), message: details.slice(0, m.index).trim() };
}

/**
 * A session on the analyzer with a growing set of tables. The catalog is registered on the
 * server once and re-registered only when tables were added since, so analysing many files costs
 * one registration per dependency level, not one per file.
 */
export class SqlAnalyzer {
  private readonly tables = new Map<string, CatalogTable>();
  private registeredId: string | undefined;
  private dirty = true;

  constructor(
    private readonly server: AnalyzerServer,
    tables: readonly CatalogTable[],
  ) {
    for (const t of tables) this.tables.set(qualifiedName(t), t);
  }

  /** Adds or replaces a table, for example a mart's output schema once it has been analysed. */
  addTable(table: CatalogTable): void {
    this.tables.set(qualifiedName(table), table);
    this.dirty = true;
  }

  hasTable(dataset: Dataset, name: string): boolean {
    return this.tables.has(`${dataset}.${name}`);
  }

  catalogTables(): CatalogTable[] {
    return [...this.tables.values()];
  }

  get options(): AnalyzerOptionsProto {
    return analyzerOptions(this.server.languageOptions);
  }

  /**
   * Analyses every statement of `sql` in order. A `create table` makes its table known to the
   * statements after it. Stops at the first error, whose position is the line and column in `sql`.
   */
  async analyze(sql: string): Promise<AnalysisResult> {
    const input = Buffer.from(sql, "utf8");
    const statements: AnalyzedStatement[] = [];
    let position = skipBlank(input, 0);
    while (position < input.length) {
      let response: AnalyzeResponse__Output | undefined;
      try {
        response = await this.server.client.analyze({
          registeredCatalogId: await this.catalogId(),
          parseResumeLocation: { input: sql, bytePosition: position, allowResume: true },
          options: this.options,
        });
      } catch (error) {
        const details = (error as { details?: string }).details;
        if (typeof details !== "string") throw error;
        return { ok: false, issue: parseAnalyzerMessage(details) };
      }
      if (!response) throw new Error("The analyzer returned no response");
      const statement = describe(response);
      statements.push(statement);
      if (statement.createdTable) this.addTable(statement.createdTable);
      if (response.resumeBytePosition <= position) break;
      position = skipBlank(input, response.resumeBytePosition);
    }
    return { ok: true, statements };
  }

  /** Unregisters the catalog from the server (the server itself is stopped by its owner). */
  async close(): Promise<void> {
    if (this.registeredId === undefined) return;
    const id = this.registeredId;
    this.registeredId = undefined;
    await this.server.client.unRegisterCatalog({ registeredId: id });
  }

  private async catalogId(): Promise<string> {
    if (this.registeredId !== undefined && !this.dirty) return this.registeredId;
    await this.close();
    const response = await this.server.client.registerCatalog({
      simpleCatalog: simpleCatalog([...this.tables.values()], this.server.languageOptions),
    });
    if (!response) throw new Error("The analyzer did not register the catalog");
    this.registeredId = response.registeredId.toString();
    this.dirty = false;
    return this.registeredId;
  }
}

/** Skips whitespace, comments and stray semicolons, so a trailing comment is not a statement. */
function skipBlank(input: Buffer, from: number): number {
  const text = input.toString("utf8", from);
  const m = /^(?:\s|;|--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/)*/.exec(text);
  return from + Buffer.byteLength(m ? m[0] : "", "utf8");
}

type ResolvedNode = Record<string, unknown>;

function describe(response: AnalyzeResponse__Output): AnalyzedStatement {
  // Decoded oneofs nest: { node: "resolvedCreateStatementNode", resolvedCreateStatementNode: {
  // node: "resolvedCreateTableStmtBaseNode", ... } }; the innermost name is the statement kind.
  let node = (response.resolvedStatement ?? {}) as ResolvedNode;
  let kind = "unknown";
  while (typeof node.node === "string" && node[node.node]) {
    kind = node.node;
    node = node[kind] as ResolvedNode;
  }
  const outputColumns = columnsOf(node.outputColumnList);
  if (/^resolvedCreateTable(AsSelect)?StmtNode$/.test(kind)) {
    const createdTable = createdTableOf(node);
    if (createdTable) return { kind, outputColumns, createdTable };
  }
  return { kind, outputColumns };
}

interface OutputColumnNode {
  name: string;
  column?: { type?: CatalogColumn["type"] };
}

function columnsOf(list: unknown): CatalogColumn[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return (list as OutputColumnNode[]).map((c) => ({
    name: c.name,
    type: cleanType(c.column?.type),
  }));
}

/** CREATE TABLE [AS SELECT]: the table's path and column definitions. */
function createdTableOf(node: ResolvedNode): CatalogTable | undefined {
  const base = findKey(node, "namePath") as string[] | undefined;
  const defs = findKey(node, "columnDefinitionList") as
    { name: string; type?: CatalogColumn["type"] }[] | undefined;
  if (!base || base.length !== 2 || !defs) return undefined;
  const [dataset, name] = base as [string, string];
  if (dataset !== "raw" && dataset !== "marts" && dataset !== "snapshots") return undefined;
  return { dataset, name, columns: defs.map((d) => ({ name: d.name, type: cleanType(d.type) })) };
}

function findKey(node: unknown, key: string): unknown {
  if (!node || typeof node !== "object") return undefined;
  const record = node as ResolvedNode;
  if (key in record && record[key] !== null) return record[key];
  for (const value of Object.values(record)) {
    const found = findKey(value, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Drops the decoded proto's null members so the type can be sent back in a catalog. */
export function cleanType(type: unknown): CatalogColumn["type"] {
  if (!type || typeof type !== "object") return { typeKind: TypeKind.TYPE_UNKNOWN };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(type)) {
    if (v === null || (Array.isArray(v) && v.length === 0) || v === "") continue;
    out[k] = typeof v === "object" && !Array.isArray(v) ? cleanType(v) : v;
  }
  return out as CatalogColumn["type"];
}
