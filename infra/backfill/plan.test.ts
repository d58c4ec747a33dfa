import { RAW_TABLE_LIST } from "../../functions/src/contract";
import {
  addDays,
  backfillPlan,
  BIGQUERY_LIMITS,
  dateChunks,
  dayCount,
  DEFAULT_LIMITS,
  perDayLoadJobs,
  planLoadJobs,
  quotaViolations,
  shardDayCoverage,
  shardOfUser,
  tableQuotas,
  type BackfillPlan,
} from "./plan";

/** Reference scale: ~1.8M events over the two years (SPEC). */
const REFERENCE = { eventsPerDay: 1_800_000 / 730 };
/** 400M events over two years. */
const LARGE = { eventsPerDay: 400_000_000 / 730 };
const TWO_YEARS = ["2024-01-01", "2025-12-30"] as const;

/** A failed backfill and its full retry on the same day, next to that day's nightly run. */
const ATTEMPTS = 2;
const NIGHTLY_MODIFICATIONS = 2;

function everyPairOnce(plan: BackfillPlan): void {
  const coverage = shardDayCoverage(plan);
  expect(coverage.size).toBe(plan.shardCount * plan.days);
  for (let shard = 0; shard < plan.shardCount; shard++) {
    for (let d = 0; d < plan.days; d++) {
      const key = `${shard}/${addDays(plan.startDate, d)}`;
      expect({ key, calls: coverage.get(key) }).toEqual({ key, calls: 1 });
    }
  }
}

describe("the backfill plan over two years", () => {
  it("spans exactly 730 days", () => {
    expect(dayCount(...TWO_YEARS)).toBe(730);
  });

  it("at reference scale: one shard, 24 chunks of at most 31 days, within every per-table limit with a full retry", () => {
    const plan = backfillPlan(...TWO_YEARS, REFERENCE);
    expect(plan.shardCount).toBe(1);
    expect(plan.chunks).toHaveLength(24);
    const jobs = planLoadJobs(plan);
    const quotas = tableQuotas(jobs, ATTEMPTS, NIGHTLY_MODIFICATIONS);
    expect(quotaViolations(quotas, jobs)).toEqual([]);
    const events = quotas.find((q) => q.table === "events")!;
    // 24 chunks x (DELETE + INSERT) x 2 attempts + the nightly's 2.
    expect(events.modifications).toBe(24 * 2 * 2 + 2);
    expect(events.partitionModifications).toBe(730 * 2 * 2);
    everyPairOnce(plan);
  });

  it("at 400M events: shards keep each lake call under the per-call budget, and the loads still fit", () => {
    const plan = backfillPlan(...TWO_YEARS, LARGE);
    expect(plan.shardCount).toBe(2);
    const eventsPerCall = LARGE.eventsPerDay * plan.chunkDays;
    expect(eventsPerCall / plan.shardCount).toBeLessThanOrEqual(DEFAULT_LIMITS.maxEventsPerCall);
    expect(plan.lakeCalls).toHaveLength(24 * 2);
    const jobs = planLoadJobs(plan);
    // Load jobs do not grow with shards: one per table and chunk.
    expect(jobs).toHaveLength(planLoadJobs(backfillPlan(...TWO_YEARS, REFERENCE)).length);
    const quotas = tableQuotas(jobs, ATTEMPTS, NIGHTLY_MODIFICATIONS);
    expect(quotaViolations(quotas, jobs)).toEqual([]);
    for (const q of quotas)
      expect(q.modifications).toBeLessThanOrEqual(BIGQUERY_LIMITS.tableModificationsPerDay / 10);
    everyPairOnce(plan);
  });

  it("one load job per table per shard and day, the design it replaces, breaks the limit at 400M events", () => {
    const plan = backfillPlan(...TWO_YEARS, LARGE);
    const naive = perDayLoadJobs(plan);
    const violations = quotaViolations(tableQuotas(naive, ATTEMPTS, NIGHTLY_MODIFICATIONS), naive);
    expect(violations.length).toBeGreaterThanOrEqual(RAW_TABLE_LIST.length);
    expect(violations.find((v) => v.startsWith("events:"))).toMatch(
      /^events: \d+ modifications > 1500$/,
    );
  });

  it("loads a chunk of one or two days partition by partition, as the warehouse does", () => {
    const jobs = planLoadJobs(backfillPlan("2024-01-01", "2024-01-02", REFERENCE));
    const events = jobs.filter((j) => j.table === "events");
    expect(events.map((j) => j.kind)).toEqual(["load", "load"]);
    expect(jobs.some((j) => j.table.startsWith("_staging_"))).toBe(false);
  });

  it("keeps every load job under 10,000 source URIs", () => {
    for (const job of planLoadJobs(backfillPlan(...TWO_YEARS, LARGE)))
      expect(job.uris).toBeLessThanOrEqual(BIGQUERY_LIMITS.urisPerLoadJob);
  });
});

describe("date chunks and shards", () => {
  it("cut a range into consecutive chunks, the last one short", () => {
    expect(dateChunks("2024-01-01", "2024-03-05", 31)).toEqual([
      { start: "2024-01-01", end: "2024-01-31", days: 31 },
      { start: "2024-02-01", end: "2024-03-02", days: 31 },
      { start: "2024-03-03", end: "2024-03-05", days: 3 },
    ]);
  });

  it("refuse an empty range", () => {
    expect(() => dateChunks("2024-02-01", "2024-01-31", 31)).toThrow(/empty/);
  });

  it("put every user in exactly one shard", () => {
    const count = 3;
    const shards = Array.from({ length: 12 }, (_, u) => shardOfUser(u, count));
    for (let s = 0; s < count; s++) expect(shards.filter((x) => x === s)).toHaveLength(4);
  });

  it("the coverage check catches a plan that drops or repeats a shard's chunk", () => {
    const plan = backfillPlan("2024-01-01", "2024-02-29", LARGE);
    const dropped = { ...plan, lakeCalls: plan.lakeCalls.slice(1) };
    expect(() => everyPairOnce(dropped)).toThrow();
    const repeated = { ...plan, lakeCalls: [...plan.lakeCalls, plan.lakeCalls[0]!] };
    expect(() => everyPairOnce(repeated)).toThrow();
  });
});
