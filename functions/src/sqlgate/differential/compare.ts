import { Cell, ResultTable, ResultType } from "../resultTable";

/**
 * Comparing DuckDB's answer with the reference evaluator's: same column names in the same order,
 * compatible types, and the same rows once both are sorted by all columns.
 *
 * Tolerance per type:
 * - FLOAT64: equal when |a - b| <= 1e-6 or |a - b| <= 1e-9 * max(|a|, |b|). Money is cents, so a
 *   real difference (a day off at a window edge, a missing order, a wrong percentile rank) moves a
 *   value by at least 0.005 absolute or well over 1e-9 relative; what is left below those bounds
 *   is summation order (DuckDB aggregates in parallel, the evaluator row by row), which changes
 *   only the last bits of a double. DuckDB DECIMAL results are read as FLOAT64 under the same rule.
 * - INT64, STRING, BOOL: exact.
 * - DATE: exact on `YYYY-MM-DD`; TIMESTAMP: exact on the UTC instant to the microsecond (both
 *   normalised to `YYYY-MM-DDTHH:MM:SS.ffffffZ`), so a time-zone shift is a difference.
 * - ARRAY: element by element under the element's rule.
 */

export const FLOAT_ABSOLUTE_TOLERANCE = 1e-6;
export const FLOAT_RELATIVE_TOLERANCE = 1e-9;

export function floatsEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  const diff = Math.abs(a - b);
  return (
    diff <= FLOAT_ABSOLUTE_TOLERANCE ||
    diff <= FLOAT_RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b))
  );
}

export function cellsEqual(a: Cell, b: Cell, type: ResultType): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => cellsEqual(x, b[i]!, typeof x === "number" ? "FLOAT64" : "STRING"));
  }
  if (type === "FLOAT64" && typeof a === "number" && typeof b === "number") {
    return floatsEqual(a, b);
  }
  return a === b;
}

/** A sort key that is stable under float noise: floats rounded to 9 significant digits. */
function sortKey(cell: Cell): string {
  if (cell === null) return "0";
  if (typeof cell === "number") {
    const rounded = Number(cell.toPrecision(9));
    // Sign-aware, fixed-width so numbers sort numerically as strings.
    const shifted = (rounded + 1e15).toFixed(6).padStart(30, "0");
    return `1${shifted}`;
  }
  if (Array.isArray(cell)) return `2${JSON.stringify(cell.map(sortKey))}`;
  return `2${String(cell)}`;
}

/** Rows ordered by all columns, left to right. */
export function sortRows(rows: readonly (readonly Cell[])[]): (readonly Cell[])[] {
  const keyed = rows.map((row) => ({ row, key: row.map(sortKey) }));
  keyed.sort((x, y) => {
    for (let i = 0; i < x.key.length; i++) {
      const a = x.key[i]!;
      const b = y.key[i]!;
      if (a !== b) return a < b ? -1 : 1;
    }
    return 0;
  });
  return keyed.map((k) => k.row);
}

/**
 * Differences between the reference (`expected`) and DuckDB (`actual`), as readable lines; empty
 * when they agree. Lists at most `limit` row differences.
 */
export function compareResults(expected: ResultTable, actual: ResultTable, limit = 10): string[] {
  const diffs: string[] = [];
  const expectedNames = expected.columns.map((c) => c.name);
  const actualNames = actual.columns.map((c) => c.name);
  if (expectedNames.join(",") !== actualNames.join(",")) {
    return [
      `columns differ: reference [${expectedNames.join(", ")}], DuckDB [${actualNames.join(", ")}]`,
    ];
  }
  expected.columns.forEach((c, i) => {
    const other = actual.columns[i]!;
    // Integer widths (HUGEINT from a DuckDB sum) all read as INT64, DECIMAL as FLOAT64.
    if (c.type !== other.type) {
      diffs.push(`column ${c.name}: reference type ${c.type}, DuckDB ${other.engineType}`);
    }
  });
  if (expected.rows.length !== actual.rows.length) {
    diffs.push(`row count: reference ${expected.rows.length}, DuckDB ${actual.rows.length}`);
  }
  const left = sortRows(expected.rows);
  const right = sortRows(actual.rows);
  const n = Math.min(left.length, right.length);
  let shown = 0;
  for (let r = 0; r < n && shown < limit; r++) {
    const cols = expected.columns
      .map((c, i) => ({ c, i }))
      .filter(({ c, i }) => !cellsEqual(left[r]![i]!, right[r]![i]!, c.type));
    if (cols.length === 0) continue;
    shown += 1;
    const detail = cols
      .map(
        ({ c, i }) =>
          `${c.name}: ${JSON.stringify(left[r]![i])} vs ${JSON.stringify(right[r]![i])}`,
      )
      .join("; ");
    diffs.push(`sorted row ${r + 1}: ${detail} (reference row ${JSON.stringify(left[r])})`);
  }
  return diffs;
}
