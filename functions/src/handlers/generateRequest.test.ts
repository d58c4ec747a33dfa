import type { GeneratorDefaults } from "../backends/fromEnv";
import { manifestOf, syntheticWorld } from "../world/manifest";
import { daysBetween, resolveGenerateJob, resolveJobWorld, utcDay } from "./generateRequest";
import { RequestError } from "./httpErrors";

const DEFAULTS: GeneratorDefaults = {
  seed: 42,
  users: 300,
  startDate: "2024-01-01",
  explicit: false,
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
  it("defaults to yesterday (UTC), the whole run, every stage", () => {
    expect(resolveGenerateJob({}, DEFAULTS, NOW)).toEqual({
      dateRange: { start: "2024-06-14", end: "2024-06-14" },
      shard: null,
      stage: "all",
      dryRun: false,
      seed: null,
      users: null,
    });
  });

  it("takes a backfill range, a shard and a stage", () => {
    const job = resolveGenerateJob(
      {
        startDate: "2024-03-01",
        endDate: "2024-03-31",
        shard: { index: 1, count: 4 },
        stage: "lake",
      },
      DEFAULTS,
      NOW,
    );
    expect(job.dateRange).toEqual({ start: "2024-03-01", end: "2024-03-31" });
    expect(job.shard).toEqual({ index: 1, count: 4 });
    expect(job.stage).toBe("lake");
  });

  it("lets a dry run, and only a dry run, name another seed and scale", () => {
    const dry = resolveGenerateJob(
      { date: "2024-03-01", seed: 7, users: 50, dryRun: true },
      DEFAULTS,
      NOW,
    );
    expect(resolveJobWorld(dry, DEFAULTS, null, true)).toEqual({
      seed: 7,
      users: 50,
      startDate: "2024-01-01",
      from: "request",
    });
    expect(() => resolveGenerateJob({ date: "2024-03-01", seed: 7 }, DEFAULTS, NOW)).toThrow(
      /seed: is allowed on a dry run only: the data carries its world \(set GENERATOR_SEED/,
    );
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
    [{ users: 5, dryRun: true }, ["users"]],
    [{ users: 10_000_000, dryRun: true }, ["users"]],
    [{ users: 12.5, dryRun: true }, ["users"]],
    [{ seed: -1, dryRun: true }, ["seed"]],
    [{ users: 500 }, ["users"]],
    [{ shard: { index: 2, count: 2 } }, ["shard.index"]],
    [{ dryRun: "yes" }, ["dryRun"]],
    [{ stage: "transform" }, ["stage"]],
    [{ dryRun: true, stage: "load" }, ["stage"]],
    [{ date: "2024-06-15" }, ["date"]],
    [{ startDate: "2024-06-10", endDate: "2024-06-20" }, ["endDate"]],
  ])("rejects %j naming %j", (body, fields) => {
    expect(fieldsOf(body)).toEqual(fields);
  });

  it("refuses a day that is not complete yet, naming the last complete one", () => {
    expect(() => resolveGenerateJob({ date: "2024-06-15" }, DEFAULTS, NOW)).toThrow(
      /2024-06-15 is not complete yet \(today is 2024-06-15 UTC\); the last complete day is 2024-06-14/,
    );
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

describe("resolveJobWorld", () => {
  const job = resolveGenerateJob({ date: "2024-03-05" }, DEFAULTS, NOW);
  const held = manifestOf(
    syntheticWorld({ seed: 9, users: 2_000, startDate: "2024-02-01" }),
    "2024-04-30",
  );

  it("uses a local folder's world when the environment names none", () => {
    expect(resolveJobWorld(job, DEFAULTS, held, true)).toEqual({
      seed: 9,
      users: 2_000,
      startDate: "2024-02-01",
      from: "data",
    });
  });

  it("uses the environment's world in the cloud, or when the environment names one", () => {
    expect(resolveJobWorld(job, DEFAULTS, held, false).from).toBe("environment");
    expect(resolveJobWorld(job, { ...DEFAULTS, explicit: true }, held, true)).toEqual({
      seed: 42,
      users: 300,
      startDate: "2024-01-01",
      from: "environment",
    });
  });

  it("refuses a day before the world's first day, naming the field", () => {
    const early = resolveGenerateJob({ date: "2024-01-15" }, DEFAULTS, NOW);
    expect(() => resolveJobWorld(early, DEFAULTS, held, true)).toThrow(
      /date: 2024-01-15 is before the world's first day 2024-02-01/,
    );
  });
});

describe("utcDay", () => {
  it("counts days in UTC whatever the hour", () => {
    expect(utcDay(new Date("2024-03-01T00:00:00Z"), -1)).toBe("2024-02-29");
    expect(utcDay(new Date("2024-03-01T23:59:59Z"))).toBe("2024-03-01");
  });
});
