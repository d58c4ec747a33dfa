import type { SqlRewrite } from "../../sql/translate";

/**
 * A proposed DuckDB rewrite (not wired into `toDuckDb`; the translation's owner decides): make
 * `ROUND(x, n)` round like GoogleSQL.
 *
 * GoogleSQL rounds the exact binary value of a FLOAT64: 82.485 is stored as 82.48499999..., so
 * `round(82.485, 2)` is 82.48. DuckDB computes `round(x * 100) / 100`, and 82.485 * 100 is exactly
 * 8248.5 in doubles, so it answers 82.49. Printing the double with 30 decimals gives its exact
 * expansion (to far below a cent), and DECIMAL rounding of that is half away from zero on the
 * true value, as GoogleSQL does. Valid while |x| < 1e14 (38 - 24 integer digits).
 */
export const ROUND_LIKE_BIGQUERY: SqlRewrite = {
  name: "round like BigQuery",
  reason:
    "DuckDB's round(x, n) on DOUBLE rounds x * 10^n, so half-cent ratios (AOV = 164.97 / 2) differ by a cent from BigQuery",
  apply: (sql) => rewriteRound(sql),
};

function rewriteRound(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const skipped = skipNonCode(sql, i);
    if (skipped > i) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const m = /^round\s*\(/i.exec(sql.slice(i));
    if (m && (i === 0 || !/[\w.]/.test(sql[i - 1]!))) {
      const open = i + m[0].length - 1;
      const close = matchingParen(sql, open);
      const args = splitTopLevel(sql.slice(open + 1, close)).map(rewriteRound);
      out +=
        args.length === 2
          ? `CAST(ROUND(CAST(printf('%.30f', CAST(${args[0]!.trim()} AS DOUBLE)) AS DECIMAL(38, 24)), ${args[1]!.trim()}) AS DOUBLE)`
          : `${sql.slice(i, open + 1)}${args.join(",")})`;
      i = close + 1;
      continue;
    }
    out += sql[i];
    i += 1;
  }
  return out;
}

/** The index after a string literal or comment starting at `i`, or `i` when none starts there. */
function skipNonCode(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') return closingQuote(sql, i, c) + 1;
  if (sql.startsWith("--", i)) {
    const end = sql.indexOf("\n", i);
    return end < 0 ? sql.length : end;
  }
  if (sql.startsWith("/*", i)) {
    const end = sql.indexOf("*/", i + 2);
    if (end < 0) throw new Error("Unclosed comment in SQL");
    return end + 2;
  }
  return i;
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i;
    } else i += 1;
  }
  throw new Error(`Unclosed ${quote} in SQL`);
}

function matchingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const skipped = skipNonCode(sql, i);
    if (skipped > i) {
      i = skipped - 1;
      continue;
    }
    const c = sql[i]!;
    if (c === "(") depth += 1;
    else if (c === ")" && --depth === 0) return i;
  }
  throw new Error("Unbalanced parentheses in SQL");
}

function splitTopLevel(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const skipped = skipNonCode(args, i);
    if (skipped > i) {
      i = skipped - 1;
      continue;
    }
    const c = args[i]!;
    if (c === "(") depth += 1;
    else if (c === ")") depth -= 1;
    else if (c === "," && depth === 0) {
      parts.push(args.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(args.slice(start));
  return parts;
}
