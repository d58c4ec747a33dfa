import type { RawTableName } from "../contract";

/** Which slice of a generation run wrote a file; a whole run is shard 0 of 1. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const WHOLE_RUN: Shard = { index: 0, count: 1 };

/**
 * The lake layout of `backends/types.ts`, in one place: one file per (table, day, shard), so a
 * day can be replaced by rewriting its folder and shards of one run never overwrite each other.
 */
export function partFileName(shard: Shard): string {
  return `part-${shard.index}-of-${shard.count}.parquet`;
}

/** `raw/<table>/dt=YYYY-MM-DD/` for a day partition, `raw/<table>/` for a table replaced whole. */
export function tableFolder(table: RawTableName, day: string | null): string {
  return day === null ? `raw/${table}/` : `raw/${table}/dt=${day}/`;
}

export function partFilePath(table: RawTableName, day: string | null, shard: Shard): string {
  return tableFolder(table, day) + partFileName(shard);
}

/** The shard a lake file name encodes, or null for a name this layout did not write. */
export function parsePartFileName(name: string): Shard | null {
  const m = /^part-(\d+)-of-(\d+)\.parquet$/.exec(name);
  if (!m) return null;
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  return shard.index < shard.count ? shard : null;
}

/** Splits a lake path into its table, day (null outside a `dt=` folder) and file name. */
export function parseLakePath(
  path: string,
): { table: string; day: string | null; name: string } | null {
  const m = /^raw\/([^/]+)\/(?:dt=(\d{4}-\d{2}-\d{2})\/)?([^/]+)$/.exec(path);
  if (!m) return null;
  return { table: m[1]!, day: m[2] ?? null, name: m[3]! };
}

/** Every day from `start` to `end` inclusive, as `YYYY-MM-DD` (UTC calendar days). */
export function daysBetween(start: string, end: string): string[] {
  const first = parseDay(start);
  const last = parseDay(end);
  if (last < first) throw new Error(`Date range ends (${end}) before it starts (${start})`);
  const days: string[] = [];
  for (let t = first; t <= last; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Milliseconds since the epoch of a `YYYY-MM-DD` day; rejects anything that is not a real date. */
export function parseDay(day: string): number {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) {
    throw new Error(`"${day}" is not a YYYY-MM-DD date`);
  }
  return t;
}
