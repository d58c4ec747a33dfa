/**
 * Rendering BigQuery SQL before it runs: query parameters become typed literals and the logical
 * dataset names (`raw`, `marts`, `snapshots`) become the stack's dataset ids.
 *
 * Parameters are substituted before any dialect translation, never after: the translator reads
 * `@run_date` as an absolute value (`ABS(run_date)`).
 */

/** A query parameter value: a DATE is given as `{ date: "YYYY-MM-DD" }` so its type is explicit. */
export type SqlParam = { date: string } | { timestamp: string } | number | string | boolean;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function sqlLiteral(value: SqlParam): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`Parameter value ${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if ("date" in value) {
    if (!DATE_RE.test(value.date))
      throw new Error(`Date parameter "${value.date}" is not YYYY-MM-DD`);
    return `date '${value.date}'`;
  }
  if (Number.isNaN(Date.parse(value.timestamp))) {
    throw new Error(`Timestamp parameter "${value.timestamp}" does not parse`);
  }
  return `timestamp '${value.timestamp}'`;
}

/** Query parameters a SQL text uses, in order of first appearance (`@@system` variables excluded). */
export function queryParameters(sql: string): string[] {
  const names = new Set<string>();
  for (const m of stripCommentsAndStrings(sql).matchAll(/(?<![@\w])@([A-Za-z_]\w*)/g)) {
    names.add(m[1]!);
  }
  return [...names];
}

/**
 * Replaces every `@name` with its literal. A parameter the SQL uses but `params` lacks is an
 * error naming it; extra entries in `params` are allowed, so one parameter set serves many files.
 */
export function renderParams(sql: string, params: Record<string, SqlParam>): string {
  const missing = queryParameters(sql).filter((n) => !(n in params));
  if (missing.length > 0) {
    throw new Error(`Missing SQL parameter(s): ${missing.map((n) => "@" + n).join(", ")}`);
  }
  return mapOutsideCommentsAndStrings(sql, (code) =>
    code.replace(/(?<![@\w])@([A-Za-z_]\w*)/g, (_m, name: string) => sqlLiteral(params[name]!)),
  );
}

export type DatasetName = "raw" | "marts" | "snapshots";

/**
 * Rewrites dataset qualifiers `raw.`, `marts.` and `snapshots.` (unquoted, as the SQL style
 * requires) to the given dataset ids, for example `raw_pr_123` on a preview stack, optionally
 * prefixed with a project. Identity when no mapping is given.
 */
export function renderDatasets(
  sql: string,
  datasets: Partial<Record<DatasetName, string>>,
  project?: string,
): string {
  return mapOutsideCommentsAndStrings(sql, (code) =>
    code.replace(/(?<![\w.`])(raw|marts|snapshots)\.(?=[A-Za-z_])/g, (_m, ds: DatasetName) => {
      const id = datasets[ds] ?? ds;
      return project ? `\`${project}.${id}\`.` : `${id}.`;
    }),
  );
}

/** Splits SQL into code and non-code (comments, string literals) and maps only the code parts. */
export function mapOutsideCommentsAndStrings(sql: string, map: (code: string) => string): string {
  const re = /--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g;
  let out = "";
  let last = 0;
  for (const m of sql.matchAll(re)) {
    out += map(sql.slice(last, m.index)) + m[0];
    last = m.index! + m[0].length;
  }
  return out + map(sql.slice(last));
}

function stripCommentsAndStrings(sql: string): string {
  const parts: string[] = [];
  mapOutsideCommentsAndStrings(sql, (code) => {
    parts.push(code);
    return code;
  });
  return parts.join(" ");
}
