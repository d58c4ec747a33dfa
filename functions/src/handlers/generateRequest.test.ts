import type { GeneratorDefaults } from "../backends/fromEnv";
import { daysBetween, resolveGenerateJob, utcDay } from "./generateRequest";
import { RequestError } from "./httpErrors";

const DEFAULTS: GeneratorDefaults = {
  seed: 42,
  users: 300,
  startDate: "2024-01-01",
  horizonEnd: null,
  maxBackfillDays: 31,
};
const NOW = new Date("2024-06-15T08:30:00Z");

function fieldsOf(body: unknown, defaults = DEFAULTS): string[] {
  try {
    resolveGenerateJob(body, defaults, NOW);
  } catch (err) {
    if (err instanceof RequestError) return err.issues.map((i) => i.field);
    throw err;
  }
  throw new Error("expected a RequestError");
}

describe("resolveGenerateJob", () => {
  it("defaults to yesterday (UTC) with the deployed seed and users", () => {
    expect(resolveGenerateJob({}, DEFAULTS, NOW)).toEqual({
      seed: 42,
      users: 300,
      worldStart: "2024-01-01",
      worldEnd: "2024-06-14",
      dateRange: { start: "2024-06-14", end: "2024-06-14" },
      shard: null,
      dryRun: false,
    });
  });

  it("takes a backfill range and ends the world on its last day", () => {
    const job = resolveGenerateJob(
      { startDate: "2024-03-01", endDate: "2024-03-31", seed: 7, shard: { index: 1, count: 4 } },
      DEFAULTS,
      NOW,
    );
    expect(job.dateRange).toEqual({ start: "2024-03-01", end: "2024-03-31" });
    expect(job.worldEnd).toBe("2024-03-31");
    expect(job.seed).toBe(7);
    expect(job.shard).toEqual({ index: 1, count: 4 });
  });

  it("keeps the world's end at the configured horizon when there is one", () => {
    const job = resolveGenerateJob(
      { date: "2024-03-01" },
      { ...DEFAULTS, horizonEnd: "2024-12-31" },
      NOW,
    );
    expect(job.worldEnd).toBe("2024-12-31");
  });

  it.each([
    [{ usr: 5 }, ["usr"]],
    [{ shard: { index: 0, count: 2, extra: 1 } }, ["shard.extra"]],
    [{ date: "2024-02-30" }, ["date"]],
    [{ date: "20240301" }, ["date"]],
    [{ startDate: "2024-03-05", endDate: "2024-03-01" }, ["endDate"]],
    [{ startDate: "2024-01-01", endDate: "2024-02-01" }, ["endDate"]],
    [{ startDate: "2024-03-01" }, ["endDate"]],
    [{ date: "2024-03-01", endDate: "2024-03-02" }, ["date", "startDate"]],
    [{ users: 5 }, ["users"]],
    [{ users: 10_000_000 }, ["users"]],
    [{ users: 12.5 }, ["users"]],
    [{ seed: -1 }, ["seed"]],
    [{ shard: { index: 2, count: 2 } }, ["shard.index"]],
    [{ dryRun: "yes" }, ["dryRun"]],
    [{ date: "2023-12-31" }, ["date"]],
  ])("rejects %j naming %j", (body, fields) => {
    expect(fieldsOf(body)).toEqual(fields);
  });

  it("rejects a day past the configured horizon, naming the field", () => {
    expect(fieldsOf({ date: "2025-01-01" }, { ...DEFAULTS, horizonEnd: "2024-12-31" })).toEqual([
      "date",
    ]);
  });

  it("says what the cap is and where it comes from", () => {
    expect(() =>
      resolveGenerateJob({ startDate: "2024-01-01", endDate: "2024-02-01" }, DEFAULTS, NOW),
    ).toThrow(/covers 32 days; at most 31 per request \(MAX_BACKFILL_DAYS\)/);
  });

  it("accepts a range of exactly the cap", () => {
    const job = resolveGenerateJob(
      { startDate: "2024-01-01", endDate: "2024-01-31" },
      DEFAULTS,
      NOW,
    );
    expect(daysBetween(job.dateRange.start, job.dateRange.end)).toBe(31);
  });
});

describe("utcDay", () => {
  it("counts days in UTC whatever the hour", () => {
    expect(utcDay(new Date("2024-03-01T00:00:00Z"), -1)).toBe("2024-02-29");
    expect(utcDay(new Date("2024-03-01T23:59:59Z"))).toBe("2024-03-01");
  });
});
