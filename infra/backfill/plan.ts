/**
 * The backfill's plan, as pure functions: how a range of days is cut into date chunks and user
 * shards (the fan-out of `generateData` lake calls), how many BigQuery jobs then write each
 * table, and whether that stays inside BigQuery's per-table limits with room for a full retry.
 *
 * The limits that shape it (https://cloud.google.com/bigquery/quotas#standard_tables,
 * https://cloud.google.com/bigquery/docs/optimize-load-jobs): a table takes at most 1,500
 * modifications a day (load, copy and query jobs writing it, DML statements included, failed
 * ones too), fixed and not raisable; a partitioned table at most 30,000 partition modifications a
 * day; a load job at most 10,000 source URIs. Loading one job per table per day (or per shard
 * and day) would spend a two-year backfill's whole allowance, or more, in one go, and a retry on
 * the same day would then fail. So a chunk of days is loaded into a staging table by one load
 * job, and replaces its range of the target in one transaction (a DELETE and an INSERT).
 */
import { STAGED_LOAD_MIN_DAYS } from "../../functions/src/backends/bigqueryWarehouse";
import { RAW_TABLE_LIST, type RawTableName } from "../../functions/src/contract";

/** BigQuery's fixed per-table limits (see the module comment). */
export const BIGQUERY_LIMITS = {
  tableModificationsPerDay: 1_500,
  partitionModificationsPerDay: 30_000,
  urisPerLoadJob: 10_000,
} as const;

export interface BackfillScale {
  /** Events a day at this scale (the largest table; the others scale with it). */
  readonly eventsPerDay: number;
}

export interface BackfillLimits {
  /** Days one `generateData` request may cover (`generator.maxBackfillDays`). */
  readonly maxDaysPerChunk: number;
  /** Events one lake call may generate within the function's memory and time. */
  readonly maxEventsPerCall: number;
}

/**
 * What a `generateData` call holds within its 2 GiB and 30 minutes: the 10x bench (18M events)
 * generates and writes the lake in ~45 s at ~650 MiB, so 10M events per call leaves a wide margin.
 */
export const DEFAULT_LIMITS: BackfillLimits = { maxDaysPerChunk: 31, maxEventsPerCall: 10_000_000 };

export interface DateChunk {
  readonly start: string;
  readonly end: string;
  readonly days: number;
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface BackfillPlan {
  readonly startDate: string;
  readonly endDate: string;
  readonly days: number;
  readonly chunkDays: number;
  readonly chunks: readonly DateChunk[];
  readonly shardCount: number;
  /** One lake-writing call per (shard, chunk), run in parallel branches. */
  readonly lakeCalls: readonly { readonly shard: Shard; readonly chunk: DateChunk }[];
}

const DAY_MS = 86_400_000;
const toMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `date` plus `n` days. */
export function addDays(date: string, n: number): string {
  return toDay(toMs(date) + n * DAY_MS);
}

/** Days from `start` to `end`, both included. */
export function dayCount(start: string, end: string): number {
  return Math.round((toMs(end) - toMs(start)) / DAY_MS) + 1;
}

/** Consecutive chunks of at most `chunkDays` days covering start..end, in date order. */
export function dateChunks(start: string, end: string, chunkDays: number): DateChunk[] {
  const days = dayCount(start, end);
  if (days < 1) throw new Error(`The range ${start}..${end} is empty`);
  const chunks: DateChunk[] = [];
  for (let first = 0; first < days; first += chunkDays) {
    const n = Math.min(chunkDays, days - first);
    chunks.push({ start: addDays(start, first), end: addDays(start, first + n - 1), days: n });
  }
  return chunks;
}

/**
 * User shards so that no lake call generates more than `maxEventsPerCall`: shard i of n is the
 * users whose 0-based index is i modulo n (the generator's rule, stable whatever the range), so
 * each shard carries about 1/n of a day's events.
 */
export function shardCount(
  scale: BackfillScale,
  chunkDays: number,
  limits: BackfillLimits,
): number {
  return Math.max(1, Math.ceil((scale.eventsPerDay * chunkDays) / limits.maxEventsPerCall));
}

/** The backfill of start..end at a scale: chunks, shards and the lake calls over both. */
export function backfillPlan(
  startDate: string,
  endDate: string,
  scale: BackfillScale,
  limits: BackfillLimits = DEFAULT_LIMITS,
): BackfillPlan {
  const chunkDays = limits.maxDaysPerChunk;
  const chunks = dateChunks(startDate, endDate, chunkDays);
  const count = shardCount(scale, chunkDays, limits);
  const lakeCalls = chunks.flatMap((chunk) =>
    Array.from({ length: count }, (_, index) => ({ shard: { index, count }, chunk })),
  );
  return {
    startDate,
    endDate,
    days: dayCount(startDate, endDate),
    chunkDays,
    chunks,
    shardCount: count,
    lakeCalls,
  };
}

/** A BigQuery job the load stage runs, and the table it modifies. */
export interface LoadJob {
  readonly table: string;
  readonly kind: "load" | "dml";
  /** Partitions of the target the job rewrites (0 for an unpartitioned table). */
  readonly partitions: number;
  /** Source URIs of a load job: one wildcard per day and table. */
  readonly uris: number;
}

/**
 * The jobs that load one chunk, as `BigQueryWarehouse.replacePartitions` runs them: a partitioned
 * table's days (from `STAGED_LOAD_MIN_DAYS` on) are loaded into a fresh staging table (one load
 * job; the staging table is modified once, ever) and replace the chunk's days of the target in one
 * transaction (a DELETE and an INSERT: two modifications); a shorter chunk loads each day into its
 * partition; a table replaced whole is loaded straight into it (one modification).
 */
export function loadJobsForChunk(chunk: DateChunk): LoadJob[] {
  return RAW_TABLE_LIST.flatMap((def): LoadJob[] =>
    def.partitionColumn && chunk.days < STAGED_LOAD_MIN_DAYS
      ? Array.from({ length: chunk.days }, () => ({
          table: def.name,
          kind: "load" as const,
          partitions: 1,
          uris: 1,
        }))
      : def.partitionColumn
        ? [
            {
              table: `_staging_${def.name}_${chunk.start}`,
              kind: "load",
              partitions: 0,
              uris: chunk.days,
            },
            { table: def.name, kind: "dml", partitions: chunk.days, uris: 0 },
            { table: def.name, kind: "dml", partitions: chunk.days, uris: 0 },
          ]
        : [{ table: def.name, kind: "load", partitions: 0, uris: 1 }],
  );
}

/** The naive alternative the plan avoids: one load job per table per shard and day. */
export function perDayLoadJobs(plan: BackfillPlan): LoadJob[] {
  return plan.lakeCalls.flatMap(({ chunk }) =>
    Array.from({ length: chunk.days }).flatMap(() =>
      RAW_TABLE_LIST.map((def) => ({
        table: def.name,
        kind: "load" as const,
        partitions: def.partitionColumn ? 1 : 0,
        uris: 1,
      })),
    ),
  );
}

export interface TableQuota {
  readonly table: string;
  readonly modifications: number;
  readonly partitionModifications: number;
}

/**
 * Modifications per table if the whole backfill ran `attempts` times on one day (a failed run
 * and its full retry), plus the nightly run's own writes that day (`nightlyModifications` per
 * table), against BigQuery's daily limits.
 */
export function tableQuotas(
  jobs: readonly LoadJob[],
  attempts: number,
  nightlyModifications = 0,
): TableQuota[] {
  const byTable = new Map<string, { modifications: number; partitionModifications: number }>();
  for (const job of jobs) {
    const t = byTable.get(job.table) ?? { modifications: 0, partitionModifications: 0 };
    t.modifications += attempts;
    t.partitionModifications += attempts * job.partitions;
    byTable.set(job.table, t);
  }
  return [...byTable.entries()].map(([table, t]) => ({
    table,
    modifications: t.modifications + (table.startsWith("_staging_") ? 0 : nightlyModifications),
    partitionModifications: t.partitionModifications,
  }));
}

/** Tables over a daily limit, with the numbers (empty when the plan fits). */
export function quotaViolations(quotas: readonly TableQuota[], jobs: readonly LoadJob[]): string[] {
  const out: string[] = [];
  for (const q of quotas) {
    if (q.modifications > BIGQUERY_LIMITS.tableModificationsPerDay)
      out.push(
        `${q.table}: ${q.modifications} modifications > ${BIGQUERY_LIMITS.tableModificationsPerDay}`,
      );
    if (q.partitionModifications > BIGQUERY_LIMITS.partitionModificationsPerDay)
      out.push(
        `${q.table}: ${q.partitionModifications} partition modifications > ${BIGQUERY_LIMITS.partitionModificationsPerDay}`,
      );
  }
  for (const job of jobs)
    if (job.uris > BIGQUERY_LIMITS.urisPerLoadJob)
      out.push(
        `${job.table}: a load job with ${job.uris} URIs > ${BIGQUERY_LIMITS.urisPerLoadJob}`,
      );
  return out;
}

/** Every load job of a plan (every chunk's). */
export function planLoadJobs(plan: BackfillPlan): LoadJob[] {
  return plan.chunks.flatMap(loadJobsForChunk);
}

/**
 * How many lake calls generate each (user shard, day): the plan is right when every pair of the
 * range is generated exactly once. Keys are `<shard index>/<day>`.
 */
export function shardDayCoverage(plan: BackfillPlan): Map<string, number> {
  const seen = new Map<string, number>();
  for (const { shard, chunk } of plan.lakeCalls) {
    for (let i = 0; i < chunk.days; i++) {
      const key = `${shard.index}/${addDays(chunk.start, i)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  return seen;
}

/** The shard a user falls in: 0-based user index modulo the shard count (the generator's rule). */
export function shardOfUser(userIndex: number, count: number): number {
  return userIndex % count;
}

/** Raw tables whose days the backfill replaces in a transaction (the partitioned ones). */
export function partitionedRawTables(): RawTableName[] {
  return RAW_TABLE_LIST.filter((d) => d.partitionColumn).map((d) => d.name);
}
