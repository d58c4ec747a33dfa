/**
 * A query result in a form both engines' answers can be put into and compared: BigQuery type
 * names, and cells as plain JSON-like values (DATE as `YYYY-MM-DD`, TIMESTAMP as a UTC ISO string
 * with microseconds, INT64 as a number).
 */

export type ResultType =
  | "STRING"
  | "INT64"
  | "FLOAT64"
  | "BOOL"
  | "DATE"
  | "TIMESTAMP"
  | "DATETIME"
  | "NUMERIC"
  | "ARRAY"
  | "OTHER";

export type Cell = null | boolean | number | string | Cell[];

export interface ResultColumn {
  readonly name: string;
  readonly type: ResultType;
  /** The engine's own type name, for messages (`TIMESTAMP WITH TIME ZONE`, `DOUBLE`...). */
  readonly engineType: string;
}

export interface ResultTable {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly Cell[])[];
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 to `YYYY-MM-DD`. */
export function dateFromEpochDays(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` to days since 1970-01-01. */
export function epochDaysFromDate(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`Not a date: ${date}`);
  return Math.round(ms / DAY_MS);
}

/** Microseconds since the epoch to `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function timestampFromEpochMicros(micros: bigint): string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = micros - seconds * 1_000_000n;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}.${fraction.toString().padStart(6, "0")}Z`;
}

/** An ISO timestamp string (any offset, any precision up to microseconds) to epoch micros. */
export function epochMicrosFromTimestamp(timestamp: string): bigint {
  const m = /^(.*?)(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
    timestamp.trim().replace(" ", "T"),
  );
  if (!m) throw new Error(`Not a timestamp: ${timestamp}`);
  const offset = m[3] ?? "Z";
  const ms = Date.parse(`${m[1]}${offset.length === 3 ? offset + ":00" : offset}`);
  if (Number.isNaN(ms)) throw new Error(`Not a timestamp: ${timestamp}`);
  return BigInt(ms) * 1000n + BigInt((m[2] ?? "").padEnd(6, "0") || "0");
}
