/**
 * Which lake files a run owns, and which files make up each warehouse partition after it.
 *
 * A run owns, in each of its days, the files of its own shard; an unsharded run (one shard)
 * owns the whole day, whatever wrote it before. Files of other shards of the same shard count
 * are never touched, and a sharded run refuses, before writing anything, a day that was written
 * with another shard count: deleting those files would drop rows the run does not regenerate,
 * and keeping them would count users twice (SPEC: "a run for some days or some shards never
 * changes what it does not own").
 *
 * State tables (subscriptions, products, promotions: no partition column) are kept per as-of day
 * (`asof=` folders). The warehouse loads, for each shard, its latest as-of files, so a run for a
 * past day can never rewind them (SPEC: "a state table is never rewound by a past day").
 */
import { RAW_TABLES, type RawTableName } from "../contract";
import type { Lake, LakeObject, PartitionLoad } from "../backends/types";
import {
  parseLakePath,
  parsePartFileName,
  tableFolder,
  type FolderKey,
  type PartFile,
  type Shard,
} from "./lakePaths";

/** A run asked for another shard count than a folder holds; nothing was written. */
export class ShardConflictError extends Error {
  constructor(
    readonly folder: string,
    readonly held: number,
    readonly asked: number,
  ) {
    super(
      `${folder} was written with ${held} shard(s); a ${asked}-shard request would leave it half ` +
        `replaced. Nothing was written: repeat the request with shard count ${held}, or without ` +
        `a shard to rewrite the days whole`,
    );
    this.name = "ShardConflictError";
  }
}

export interface LakeFile extends PartFile {
  readonly path: string;
  readonly key: FolderKey;
  readonly date: string;
}

const sameShard = (a: Shard, b: Shard) => a.index === b.index && a.count === b.count;

/** Day folders listed one at a time up to this many; beyond, one listing of the whole table. */
const MAX_DAY_LISTINGS = 31;

/** The files this layout named in a table's day folders (`days`) or in all its as-of folders. */
export async function listTableFiles(
  lake: Lake,
  table: RawTableName,
  days: readonly string[] | "state",
): Promise<LakeFile[]> {
  let objects: LakeObject[];
  if (days === "state") objects = await lake.list(`${tableFolder(table, null)}asof=`);
  else if (days.length <= MAX_DAY_LISTINGS)
    objects = (await Promise.all(days.map((d) => lake.list(tableFolder(table, "dt", d))))).flat();
  else objects = await lake.list(`${tableFolder(table, null)}dt=`);
  const wanted = days === "state" ? null : new Set(days);
  const files: LakeFile[] = [];
  for (const object of objects) {
    const parsed = parseLakePath(object.path);
    const part = parsed && parsed.table === table ? parsePartFileName(parsed.name) : null;
    if (!parsed || !part) continue; // a name this layout did not write: neither loaded nor deleted
    if (wanted && (parsed.key !== "dt" || !wanted.has(parsed.date))) continue;
    files.push({ path: object.path, key: parsed.key, date: parsed.date, ...part });
  }
  return files;
}

export interface OwnershipCheck {
  /** The latest as-of day of any state file (null: no state yet). */
  readonly latestStateAsOf: string | null;
  /** The latest as-of day of this run's own shard's state files. */
  readonly ownStateAsOf: string | null;
  /** A state file of another shard count than the run's, if any. */
  readonly otherCountState: string | null;
}

/**
 * Before any write: refuses a sharded run whose days hold files of another shard count
 * (`ShardConflictError`), and reports the state already in the lake for `stateDecision`.
 */
export async function checkOwnership(
  lake: Lake,
  run: {
    readonly shard: Shard;
    readonly days: readonly string[];
    readonly dayTables: readonly RawTableName[];
    readonly stateTables: readonly RawTableName[];
  },
): Promise<OwnershipCheck> {
  let latestStateAsOf: string | null = null;
  let ownStateAsOf: string | null = null;
  let otherCountState: string | null = null;
  for (const table of run.dayTables) {
    for (const file of await listTableFiles(lake, table, run.days))
      if (run.shard.count !== 1 && file.shard.count !== run.shard.count)
        throw new ShardConflictError(folderOf(file), file.shard.count, run.shard.count);
  }
  for (const table of run.stateTables) {
    for (const file of await listTableFiles(lake, table, "state")) {
      if (file.shard.count !== run.shard.count) otherCountState ??= file.path;
      if (latestStateAsOf === null || file.date > latestStateAsOf) latestStateAsOf = file.date;
      if (sameShard(file.shard, run.shard) && (ownStateAsOf === null || file.date > ownStateAsOf))
        ownStateAsOf = file.date;
    }
  }
  return { latestStateAsOf, ownStateAsOf, otherCountState };
}

/**
 * Whether a run for days ending `rangeEnd` writes the state tables, and as of which day. State is
 * written at the frontier only: a run for a past day leaves it (its rows of past days are the
 * same whatever the as-of day). An unsharded run also rewrites state left by another shard count,
 * as of the latest day it describes, so the layout changes and the state does not go back. A
 * sharded run that would have to do so is refused (`ShardConflictError`).
 */
export function stateDecision(
  shard: Shard,
  rangeEnd: string,
  check: OwnershipCheck,
): { write: boolean; asOf: string } {
  const latest = check.latestStateAsOf;
  const atFrontier = latest === null || rangeEnd >= latest;
  const asOf = latest !== null && latest > rangeEnd ? latest : rangeEnd;
  if (shard.count === 1) return { write: atFrontier || check.otherCountState !== null, asOf };
  const write = atFrontier && (check.ownStateAsOf === null || check.ownStateAsOf <= rangeEnd);
  if (write && check.otherCountState !== null) {
    const path = check.otherCountState;
    const held = /part-\d+-of-(\d+)-/.exec(path)?.[1];
    throw new ShardConflictError(folderOf({ path }), Number(held), shard.count);
  }
  return { write, asOf: rangeEnd };
}

function folderOf(file: { readonly path: string }): string {
  return file.path.slice(0, file.path.lastIndexOf("/") + 1);
}

/**
 * After a run wrote `written`: deletes, in the run's days and (when it wrote state) its state
 * folders, the files it replaces: its own shard's files it did not write this time (batches of
 * an earlier run, older as-of days), and, for an unsharded run, every file of another shard count.
 */
export async function settleLake(
  lake: Lake,
  run: {
    readonly shard: Shard;
    readonly days: readonly string[];
    readonly dayTables: readonly RawTableName[];
    readonly stateTables: readonly RawTableName[];
    readonly written: ReadonlySet<string>;
  },
): Promise<number> {
  const whole = run.shard.count === 1;
  const replaced = (file: LakeFile) =>
    !run.written.has(file.path) &&
    (sameShard(file.shard, run.shard) || (whole && file.shard.count !== 1));
  let deleted = 0;
  for (const table of run.dayTables)
    for (const file of await listTableFiles(lake, table, run.days))
      if (replaced(file)) deleted += await lake.deletePrefix(file.path);
  for (const table of run.stateTables)
    for (const file of await listTableFiles(lake, table, "state"))
      if (replaced(file)) deleted += await lake.deletePrefix(file.path);
  return deleted;
}

/**
 * The loads that make the warehouse match the lake: each day of each day table from every file in
 * its folder (all of one shard count, or an error), and each state table whole, from each shard's
 * latest as-of files.
 */
export async function lakeLoads(
  lake: Lake,
  run: {
    readonly days: readonly string[];
    readonly dayTables: readonly RawTableName[];
    readonly stateTables: readonly RawTableName[];
  },
): Promise<PartitionLoad[]> {
  const loads: PartitionLoad[] = [];
  const days = [...new Set(run.days)].sort();
  for (const table of run.dayTables) {
    const byDay = new Map<string, LakeFile[]>();
    for (const file of await listTableFiles(lake, table, days))
      byDay.set(file.date, [...(byDay.get(file.date) ?? []), file]);
    for (const day of days) {
      const files = byDay.get(day) ?? [];
      assertOneCount(files, tableFolder(table, "dt", day));
      loads.push({ table, partition: day, uris: files.map((f) => lake.uri(f.path)).sort() });
    }
  }
  for (const table of run.stateTables) {
    const files = await listTableFiles(lake, table, "state");
    assertOneCount(files, `${tableFolder(table, null)}asof=*/`);
    const latest = new Map<number, string>();
    for (const f of files)
      if ((latest.get(f.shard.index) ?? "") < f.date) latest.set(f.shard.index, f.date);
    const uris = files
      .filter((f) => latest.get(f.shard.index) === f.date)
      .map((f) => lake.uri(f.path))
      .sort();
    loads.push({ table, partition: null, uris });
  }
  return loads;
}

function assertOneCount(files: readonly LakeFile[], folder: string): void {
  const counts = [...new Set(files.map((f) => f.shard.count))];
  if (counts.length > 1)
    throw new Error(
      `${folder} holds files of ${counts.join(" and ")} shards; rewrite those days without a shard`,
    );
}

/** The raw tables with a partition column, and those kept as state (as-of folders). */
export function splitTables(tables: readonly RawTableName[]): {
  dayTables: RawTableName[];
  stateTables: RawTableName[];
} {
  return {
    dayTables: tables.filter((t) => RAW_TABLES[t].partitionColumn !== undefined),
    stateTables: tables.filter((t) => RAW_TABLES[t].partitionColumn === undefined),
  };
}
