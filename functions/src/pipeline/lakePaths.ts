import type { RawTableName } from "../contract";

/**
 * Which users a run covers: shard `index` of `count` is the users whose index is `index` modulo
 * `count` (so a shard is the same users whatever the days); a whole run is shard 0 of 1.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const WHOLE_RUN: Shard = { index: 0, count: 1 };

/** One file of a run: its shard and the batch of that shard's users it holds. */
export interface PartFile {
  readonly shard: Shard;
  readonly batch: number;
}

/**
 * The folder key of a table's files: `dt=` for a day of a partitioned table, `asof=` for a state
 * table (replaced whole in the warehouse) as of a day. State files are kept per as-of day so
 * that a run for a past day never overwrites the state a later day wrote: each shard's latest
 * as-of folder is what the warehouse loads.
 */
export type FolderKey = "dt" | "asof";

/**
 * The lake layout of `backends/types.ts`, in one place: one file per (table, day, shard, batch),
 * so a day can be replaced by rewriting its folder and the shards and batches of a run never
 * overwrite each other.
 */
export function partFileName(part: PartFile): string {
  return `part-${part.shard.index}-of-${part.shard.count}-b${part.batch}.parquet`;
}

/** `raw/<table>/dt=YYYY-MM-DD/` for a day, `raw/<table>/asof=YYYY-MM-DD/` for a state table. */
export function tableFolder(table: RawTableName, key: FolderKey | null, date?: string): string {
  if (key === null) return `raw/${table}/`;
  if (!date) throw new Error(`a ${key}= folder needs a date`);
  return `raw/${table}/${key}=${date}/`;
}

export function partFilePath(
  table: RawTableName,
  key: FolderKey,
  date: string,
  part: PartFile,
): string {
  return tableFolder(table, key, date) + partFileName(part);
}

/** The shard and batch a lake file name encodes, or null for a name this layout did not write. */
export function parsePartFileName(name: string): PartFile | null {
  const m = /^part-(\d+)-of-(\d+)-b(\d+)\.parquet$/.exec(name);
  if (!m) return null;
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  return shard.index < shard.count ? { shard, batch: Number(m[3]) } : null;
}

/** Splits a lake path into its table, folder key and date, and file name. */
export function parseLakePath(
  path: string,
): { table: string; key: FolderKey; date: string; name: string } | null {
  const m = /^raw\/([^/]+)\/(dt|asof)=(\d{4}-\d{2}-\d{2})\/([^/]+)$/.exec(path);
  if (!m) return null;
  return { table: m[1]!, key: m[2] as FolderKey, date: m[3]!, name: m[4]! };
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
