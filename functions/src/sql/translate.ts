import { Dialect, init, isInitialized, transpile } from "@polyglot-sql/sdk";

/**
 * BigQuery SQL to DuckDB SQL. Marts and checks are written once, in GoogleSQL; locally DuckDB runs
 * them after this translation. Translation is not proof of equal results (differential tests
 * against the GoogleSQL reference evaluator are), and constructs known to translate wrongly are
 * rejected or rewritten here, each with a test.
 *
 * Render parameters (`renderParams`) before translating: `@x` would come out as `ABS(x)`.
 */

let ready: Promise<void> | undefined;

/** Loads the translator's WebAssembly module once per process. */
export function initTranslator(): Promise<void> {
  if (isInitialized()) return Promise.resolve();
  ready ??= init();
  return ready;
}

export class SqlTranslationError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = "SqlTranslationError";
  }
}

/** A construct that translates wrongly for DuckDB, and what the translator would have got wrong. */
export interface BannedConstruct {
  readonly pattern: RegExp;
  readonly reason: string;
}

/**
 * Constructs whose translation changes meaning. The SQL gate rejects them in `sql/`; they are
 * checked here too, so a file outside the gate cannot slip one through.
 */
export const BANNED_CONSTRUCTS: readonly BannedConstruct[] = [
  {
    pattern: /\bregexp_contains\s*\(/i,
    reason:
      "regexp_contains translates to DuckDB regexp_full_match (a whole-string match); use starts_with/ends_with/like, or anchor with regexp_contains(x, r'^...$') via like",
  },
  {
    pattern: /\barray_agg\s*\([^)]*\blimit\b/i,
    reason: "array_agg(... limit n) produces SQL DuckDB cannot parse; use row_number() and a filter",
  },
  {
    pattern: /\bextract\s*\(\s*dayofweek\b/i,
    reason:
      "extract(dayofweek) is 1..7 from Sunday in BigQuery and 0..6 in DuckDB; use format_date('%u', d) or date_diff against a known Monday",
  },
  {
    pattern: /\bas\s+(big)?numeric\b/i,
    reason: "cast to NUMERIC becomes DuckDB DECIMAL(18,3), not BigQuery's (38,9); keep FLOAT64",
  },
  {
    pattern: /`(raw|marts|snapshots)\.[A-Za-z_]\w*`/,
    reason: "a backquoted `dataset.table` becomes one DuckDB identifier; write raw.events unquoted",
  },
];

export function bannedConstructs(sql: string): BannedConstruct[] {
  return BANNED_CONSTRUCTS.filter((b) => b.pattern.test(sql));
}

/**
 * Rewrites applied to the translator's output where DuckDB's result type differs from
 * BigQuery's. Each maps DuckDB SQL to DuckDB SQL.
 */
export const DUCKDB_REWRITES: readonly { readonly name: string; readonly apply: (sql: string) => string }[] = [];

export async function toDuckDb(bigQuerySql: string): Promise<string> {
  const banned = bannedConstructs(bigQuerySql);
  if (banned.length > 0) {
    throw new SqlTranslationError(`Banned construct: ${banned.map((b) => b.reason).join("; ")}`);
  }
  await initTranslator();
  const result = transpile(bigQuerySql, Dialect.BigQuery, Dialect.DuckDB, {
    unsupportedLevel: "raise",
  });
  if (!result.success || !result.sql) {
    throw new SqlTranslationError(
      `Cannot translate to DuckDB: ${result.error ?? "unknown error"}`,
      result.errorLine,
      result.errorColumn,
    );
  }
  return DUCKDB_REWRITES.reduce((sql, r) => r.apply(sql), result.sql.join(";\n"));
}
