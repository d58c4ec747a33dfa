import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import type * as Polyglot from "@polyglot-sql/sdk";

/**
 * The translator's package, loaded on first use: a process that never translates (a function
 * instance that only writes the lake) does not load it, and `npm start` loads it while DuckDB
 * generates the shop rather than before its first step (25-40 ms under the TypeScript loader).
 */
let polyglot: typeof Polyglot | undefined;
const sdk = (): typeof Polyglot =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded late on purpose, see above
  (polyglot ??= require("@polyglot-sql/sdk") as typeof Polyglot);

/**
 * BigQuery SQL to DuckDB SQL. Marts and checks are written once, in GoogleSQL; locally DuckDB runs
 * them after this translation. Translation is not proof of equal results (differential tests
 * against the GoogleSQL reference evaluator are), and constructs known to translate wrongly are
 * rejected or rewritten here, each with a test.
 *
 * Render parameters (`renderParams`) before translating: `@x` would come out as `ABS(x)`.
 */

let ready: Promise<void> | undefined;

/**
 * Loads the translator's WebAssembly module once per process. It also translates one statement
 * and yields a macrotask: right after its first use the 22 MB module blocks the event loop for
 * a while (seen: 0.5-3 s on a busy 2-core machine), and that one-time cost belongs here rather
 * than in the timing of whichever query happens to come next.
 */
export function initTranslator(): Promise<void> {
  const { Dialect, init, isInitialized, transpile } = sdk();
  if (isInitialized() && ready === undefined) return Promise.resolve();
  ready ??= (async () => {
    if (!isInitialized()) {
      // The translator is one large WebAssembly module. With V8's default tiering it is recompiled
      // by the optimising tier in the background: ~2-3 s of CPU right after the first
      // translations, measured on 2 cores. The baseline tier alone initialises and translates
      // faster in total for our SQL, so compile it with that only (a process-wide V8 flag that
      // only affects WebAssembly compiled afterwards).
      setFlagsFromString("--liftoff-only");
      await init();
    }
    transpile("select 1", Dialect.BigQuery, Dialect.DuckDB);
    await new Promise((resolve) => setTimeout(resolve, 0));
  })();
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
      "regexp_contains (a partial match) translates to DuckDB regexp_full_match (a whole-string match); use like, starts_with or ends_with",
  },
  {
    pattern: /\barray_agg\s*\([^)]*\blimit\b/i,
    reason:
      "array_agg(... limit n) produces SQL DuckDB cannot parse; use row_number() and a filter",
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
  {
    pattern:
      /\bdate_trunc\s*\((?:[^();]|\([^();]*\))*,\s*week\s*(\(\s*(sunday|tuesday|wednesday|thursday|friday|saturday)\s*\))?\s*\)/i,
    reason:
      "date_trunc(d, week) starts weeks on Sunday in BigQuery and on Monday in DuckDB; use isoweek or week(monday)",
  },
  {
    pattern: /\bextract\s*\(\s*week\b/i,
    reason:
      "extract(week) counts Sunday-based weeks in BigQuery and ISO weeks in DuckDB; use extract(isoweek ...)",
  },
  {
    pattern: /\bapprox_quantiles\s*\(/i,
    reason:
      "approx_quantiles returns sampled data values in BigQuery and an interpolated t-digest estimate in DuckDB (1..8 quartile 1: 2 vs 2.5); use percentile_cont(x, p) over (...)",
  },
  {
    pattern: /\bdate_from_unix_date\s*\(/i,
    reason:
      "date_from_unix_date has no DuckDB translation; use date_add(date '1970-01-01', interval n day)",
  },
];

export function bannedConstructs(sql: string): BannedConstruct[] {
  return BANNED_CONSTRUCTS.filter((b) => b.pattern.test(sql));
}

/** A textual rewrite with the reason it exists; each has a test in translate.test.ts. */
export interface SqlRewrite {
  readonly name: string;
  readonly reason: string;
  readonly apply: (sql: string) => string;
}

/** BigQuery functions that return DATE for a DATE argument but come back as TIMESTAMP in DuckDB. */
const DATE_RETURNING_FUNCTIONS = ["date_add", "date_sub", "date_trunc"];

/**
 * Rewrites applied to the BigQuery text before translation. A no-op in BigQuery's semantics (the
 * convention in `sql/`: these functions take DATE; timestamps use the timestamp_* family), but it
 * makes the translator emit a cast that keeps the DATE type in DuckDB.
 */
export const BIGQUERY_REWRITES: readonly SqlRewrite[] = [
  {
    name: "date functions keep DATE",
    reason:
      "date_add/date_sub become `d + INTERVAL` and date_trunc becomes DATE_TRUNC, all TIMESTAMP in DuckDB; BigQuery returns DATE",
    apply: (sql) => wrapCalls(sql, DATE_RETURNING_FUNCTIONS, "cast(", " as date)"),
  },
  {
    name: "integer division keeps its grouping",
    reason:
      "div(a + 99, 100) becomes `a + 99 // 100` and 2 * div(a, 3) becomes `2 * a // 3`: the translator drops the grouping the call gave, and DuckDB's // binds as tightly as *",
    apply: (sql) =>
      rewriteCalls(sql, ["div"], (name, args) =>
        args.length === 2 ? `(${name}((${args[0]!.trim()}), (${args[1]!.trim()})))` : null,
      ),
  },
];

/**
 * Rewrites applied to the translator's output where DuckDB would reject or misread it. Each maps
 * DuckDB SQL to DuckDB SQL.
 */
export const DUCKDB_REWRITES: readonly SqlRewrite[] = [
  {
    name: "monday weeks",
    reason:
      "BigQuery's isoweek and week(monday) pass through as DATE_TRUNC('ISOWEEK'/'WEEK(MONDAY)'), which DuckDB rejects; DuckDB's 'week' is the ISO (Monday) week",
    apply: (sql) => sql.replace(/DATE_TRUNC\(\s*'(ISOWEEK|WEEK\(MONDAY\))'/gi, "DATE_TRUNC('WEEK'"),
  },
  {
    name: "iso week number",
    reason:
      "extract(isoweek from d) passes through unchanged and DuckDB rejects it; DuckDB's extract(week) is the ISO week",
    apply: (sql) => sql.replace(/EXTRACT\(\s*isoweek\s+FROM/gi, "EXTRACT(WEEK FROM"),
  },
  {
    name: "UTC day by arithmetic",
    reason:
      "date(ts) becomes CAST(ts AS DATE), which DuckDB answers for a TIMESTAMPTZ through the ICU calendar, six times slower than day arithmetic on the epoch (the session zone is UTC, so both give BigQuery's UTC day); the marts take the day of 750k session starts eight times",
    apply: (sql) =>
      sql.replace(
        /CAST\(\s*(?!(?:NULL|TRUE|FALSE)\s)([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s+AS\s+DATE\s*\)/gi,
        (_match, column: string) =>
          `(DATE '1970-01-01' + CAST(floor(epoch_us(${column}) / 86400000000) AS INTEGER))`,
      ),
  },
  {
    name: "round like BigQuery",
    reason:
      "DuckDB's round(x, n) on DOUBLE rounds x * 10^n, so half-cent ratios (an AOV of 164.97 / 2) come out a cent off BigQuery, which rounds the exact binary value",
    apply: (sql) =>
      rewriteCalls(sql, ["round"], (_name, args) =>
        args.length === 2 ? roundLikeBigQuery(args[0]!.trim(), args[1]!.trim()) : null,
      ),
  },
];

/**
 * `round(x, n)` as GoogleSQL computes it. 82.485 is stored as 82.48499999...; GoogleSQL rounds
 * that exact value (82.48), while DuckDB multiplies first (8248.5, exactly representable) and
 * answers 82.49. Printing the double with 30 decimals gives its expansion far below a cent, and
 * DECIMAL rounding of that is half away from zero on the true value, as GoogleSQL does. Valid
 * while |x| < 1e14 (38 - 24 integer digits): far above any amount in this shop.
 *
 * Printing is slow (19 µs a value: most of each RFM snapshot's time), and only a value whose
 * scaled double y = x * 10^n lands on a half can round differently from y itself: the product is
 * the double nearest the true x * 10^n, so a true product within half an ulp of a half (which is
 * representable) becomes that half, and any other stays on its side of it. So only values within
 * 1e-15 |y| of a half (a margin over "exactly", kept for safety) take the printing path; every
 * other one is round(y) / 10^n, where 10^n is exact and IEEE division gives the nearest double, as
 * the cast of the exact decimal does. The differential test covers both paths.
 */
function roundLikeBigQuery(value: string, digits: string): string {
  const exact = `CAST(ROUND(CAST(printf('%.30f', CAST(${value} AS DOUBLE)) AS DECIMAL(38, 24)), ${digits}) AS DOUBLE)`;
  const scaled = `(CAST(${value} AS DOUBLE) * power(10, ${digits}))`;
  const nearHalf = `abs(abs(${scaled}) - floor(abs(${scaled})) - 0.5) <= abs(${scaled}) * 1e-15`;
  return `(CASE WHEN ${nearHalf} THEN ${exact} ELSE round(${scaled}) / power(10, ${digits}) END)`;
}

/**
 * Wraps every call of the named functions (outside strings and comments, including nested calls)
 * as `<before><call><after>`.
 */
export function wrapCalls(
  sql: string,
  functionNames: readonly string[],
  before: string,
  after: string,
): string {
  return rewriteCalls(
    sql,
    functionNames,
    (name, args) => `${before}${name}(${args.join(",")})${after}`,
  );
}

/**
 * Replaces every call of the named functions (outside strings and comments) with what `render`
 * makes of its name and top-level argument texts; nested calls are rewritten first. `render`
 * returning null keeps the call as it was (with its arguments rewritten).
 */
export function rewriteCalls(
  sql: string,
  functionNames: readonly string[],
  render: (name: string, args: string[]) => string | null,
): string {
  const callStart = new RegExp(`^(${functionNames.join("|")})\\s*\\(`, "i");
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const skipped = skipNonCode(sql, i);
    if (skipped > i) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const prev = i > 0 ? sql[i - 1]! : " ";
    const m = /[\w.]/.test(prev) ? null : callStart.exec(sql.slice(i));
    if (m) {
      const open = i + m[0].length - 1;
      const close = matchingParen(sql, open);
      const args = splitTopLevel(sql.slice(open + 1, close)).map((a) =>
        rewriteCalls(a, functionNames, render),
      );
      const name = m[1]!;
      out += render(name, args) ?? `${name}(${args.join(",")})`;
      i = close + 1;
      continue;
    }
    out += sql[i];
    i += 1;
  }
  return out;
}

/** Splits an argument list at its top-level commas (not inside parentheses, strings or comments). */
function splitTopLevel(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < args.length) {
    const skipped = skipNonCode(args, i);
    if (skipped > i) {
      i = skipped;
      continue;
    }
    const c = args[i];
    if (c === "(" || c === "[") depth += 1;
    else if (c === ")" || c === "]") depth -= 1;
    else if (c === "," && depth === 0) {
      parts.push(args.slice(start, i));
      start = i + 1;
    }
    i += 1;
  }
  parts.push(args.slice(start));
  return parts;
}

/** End (exclusive) of a string literal, quoted identifier or comment starting at `i`, else `i`. */
function skipNonCode(sql: string, i: number): number {
  const c = sql[i];
  if (c === "-" && sql[i + 1] === "-") return lineEnd(sql, i);
  if (c === "#") return lineEnd(sql, i);
  if (c === "/" && sql[i + 1] === "*") {
    const end = sql.indexOf("*/", i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  if (c === "'" || c === '"' || c === "`") {
    let j = i + 1;
    while (j < sql.length && sql[j] !== c) j += sql[j] === "\\" ? 2 : 1;
    return Math.min(j + 1, sql.length);
  }
  return i;
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf("\n", i);
  return end < 0 ? sql.length : end;
}

function matchingParen(sql: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < sql.length) {
    const skipped = skipNonCode(sql, i);
    if (skipped > i) {
      i = skipped;
      continue;
    }
    if (sql[i] === "(") depth += 1;
    if (sql[i] === ")") {
      depth -= 1;
      if (depth === 0) return i;
    }
    i += 1;
  }
  throw new SqlTranslationError(`Unbalanced parenthesis after position ${open}`);
}

export async function toDuckDb(bigQuerySql: string): Promise<string> {
  const banned = bannedConstructs(bigQuerySql);
  if (banned.length > 0) {
    throw new SqlTranslationError(`Banned construct: ${banned.map((b) => b.reason).join("; ")}`);
  }
  const source = BIGQUERY_REWRITES.reduce((sql, r) => r.apply(sql), bigQuerySql);
  // The kept file's name is hashed once, for the read and, on a miss, the write.
  const file = translationFolder === null ? null : keptTranslationFile(translationFolder, source);
  let translated = file === null ? null : await keptTranslation(file);
  if (translated === null) {
    translated = await transpiled(source);
    if (file !== null) await keepTranslation(file, translated);
  }
  return DUCKDB_REWRITES.reduce((sql, r) => r.apply(sql), translated);
}

/** The translator's options: part of a kept translation's key. */
const TRANSPILE_OPTIONS = { unsupportedLevel: "raise" } as const;

/** The translator's own output for `source` (BigQuery rewrites applied). */
async function transpiled(source: string): Promise<string> {
  await initTranslator();
  const { Dialect, transpile } = sdk();
  const result = transpile(source, Dialect.BigQuery, Dialect.DuckDB, TRANSPILE_OPTIONS);
  if (!result.success || !result.sql) {
    throw new SqlTranslationError(
      `Cannot translate to DuckDB: ${result.error ?? "unknown error"}`,
      result.errorLine,
      result.errorColumn,
    );
  }
  return result.sql.join(";\n");
}

/**
 * A folder where the translator's output is kept between processes, or null (the default).
 *
 * The translator is a 22 MB WebAssembly module: `npm start` spent about 0.9 s of the main thread
 * loading it and translating the checks' and marts' texts, and V8's background threads as much
 * again compiling it, while DuckDB generated the shop on both cores. Its output depends only on
 * its input and its version, so the commands that build a warehouse on this machine keep each
 * translation in a file named by a hash of the translator's version, its options and the text,
 * and a later run reads it back without loading the module. A text that fails to translate is
 * not kept (it fails again, with its error). The rewrites after the translation
 * (`DUCKDB_REWRITES`) are applied on every use, so changing them needs no emptied folder; the
 * rewrites before it are part of the text. The deployed Cloud Functions keep none: they run
 * BigQuery's own SQL, which needs no translation.
 */
let translationFolder: string | null = null;

/** Keeps translations in `folder` from now on (null: keeps none); see `translationFolder`. */
export function keepTranslationsIn(folder: string | null): void {
  translationFolder = folder;
}

/** The folder translations are kept in, or null. */
export function translationsKeptIn(): string | null {
  return translationFolder;
}

let translatorVersion: string | undefined;

/** The translator package's version, from its package.json (not among its exports). */
function versionOfTranslator(): string {
  translatorVersion ??= (
    JSON.parse(
      readFileSync(
        join(dirname(require.resolve("@polyglot-sql/sdk")), "..", "package.json"),
        "utf8",
      ),
    ) as { version: string }
  ).version;
  return translatorVersion;
}

/** The file a translation of `source` is kept in. */
export function keptTranslationFile(folder: string, source: string): string {
  const key = createHash("sha256")
    .update(JSON.stringify([versionOfTranslator(), TRANSPILE_OPTIONS, source]))
    .digest("hex");
  return join(folder, `${key}.sql`);
}

/** The translation kept in `file`, or null when none is. */
async function keptTranslation(file: string): Promise<string | null> {
  const kept = await readFile(file, "utf8").catch(() => null);
  return kept === "" ? null : kept;
}

/**
 * Writes a translation under its key through a file of this process's own and a rename, so that
 * processes translating at once (jest's workers, two commands) never read a half-written one.
 * A folder that cannot be written costs the next run a translation, nothing else.
 */
async function keepTranslation(file: string, translated: string): Promise<void> {
  const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(partial, translated);
    await rename(partial, file);
  } catch {
    // not kept: translated again next time
  }
}
