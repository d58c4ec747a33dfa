import { z } from "zod";
import { FUNCTION_ENV, USERS_BOUNDS, type GeneratorDefaults } from "../backends/fromEnv";
import type { RunStage } from "../pipeline/generateAndLoad";
import type { WorldManifest } from "../world/manifest";
import { parseRequest, RequestError, type FieldIssue } from "./httpErrors";

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a UTC day `offset` days from `now`. */
export function utcDay(now: Date, offset = 0): string {
  return new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `start` to `end`, both included. */
export function daysBetween(start: string, end: string): number {
  return (
    Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1
  );
}

const IsoDay = z.iso.date("must be a date YYYY-MM-DD");

/** The body of a `generateData` request, as sent. Unknown fields are refused. */
export const GenerateDataBody = z
  .object({
    /** One day to generate (default: yesterday, UTC). Not together with startDate/endDate. */
    date: IsoDay.optional(),
    /** A backfill range, both ends included; at most MAX_BACKFILL_DAYS days. */
    startDate: IsoDay.optional(),
    endDate: IsoDay.optional(),
    /** Generate only users in shard `index` of `count` (user index modulo count): a fan-out. */
    shard: z
      .object({ index: z.number().int().min(0), count: z.number().int().min(1).max(1000) })
      .strict()
      .optional(),
    /** `all` (default), `lake` (write the lake files only) or `load` (load them only). */
    stage: z.enum(["all", "lake", "load"]).optional(),
    /** Generate and count, but write nothing to the lake or the warehouse. */
    dryRun: z.boolean().optional(),
    /** Another world's seed and scale: only on a dry run (the data carries its own world). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    users: z.number().int().min(USERS_BOUNDS.min).max(USERS_BOUNDS.max).optional(),
  })
  .strict();
export type GenerateDataBody = z.infer<typeof GenerateDataBody>;

/** A validated request with every default filled in, before the world is known. */
export interface GenerateJob {
  /** The days to generate and load, both included. */
  readonly dateRange: { readonly start: string; readonly end: string };
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly stage: RunStage;
  readonly dryRun: boolean;
  /** A dry run's own world, when the body names one. */
  readonly seed: number | null;
  readonly users: number | null;
}

/** The world a job runs in. */
export interface JobWorld {
  readonly seed: number;
  readonly users: number;
  readonly startDate: string;
  /** Where it came from, for the log and the answer. */
  readonly from: "environment" | "data" | "request";
}

/**
 * Validates a body against the schema and the deployed limits (backfill cap, complete days
 * only) and fills defaults. Throws a RequestError naming each field at fault.
 */
export function resolveGenerateJob(
  body: unknown,
  defaults: GeneratorDefaults,
  now: Date = new Date(),
): GenerateJob {
  const req = parseRequest(GenerateDataBody, body);
  const issues: FieldIssue[] = [];
  const ranged = req.startDate !== undefined || req.endDate !== undefined;
  if (req.date !== undefined && ranged) {
    issues.push({ field: "date", message: "give either date or startDate/endDate, not both" });
  }
  if (ranged && req.startDate === undefined) {
    issues.push({ field: "startDate", message: "is required with endDate" });
  }
  if (ranged && req.endDate === undefined) {
    issues.push({ field: "endDate", message: "is required with startDate" });
  }
  for (const field of ["seed", "users"] as const)
    if (req[field] !== undefined && req.dryRun !== true)
      issues.push({
        field,
        message:
          "is allowed on a dry run only: the data carries its world (set " +
          `${field === "seed" ? FUNCTION_ENV.generatorSeed : FUNCTION_ENV.generatorUsers} to deploy another)`,
      });
  if (req.dryRun === true && req.stage !== undefined && req.stage !== "all")
    issues.push({ field: "stage", message: "a dry run writes nothing, so it has no stage" });
  if (issues.length > 0) throw new RequestError(issues);

  const start = req.startDate ?? req.date ?? utcDay(now, -1);
  const end = req.endDate ?? req.date ?? start;
  const endField = req.endDate !== undefined ? "endDate" : "date";
  if (end < start) {
    issues.push({ field: "endDate", message: `${end} is before startDate ${start}` });
  } else if (daysBetween(start, end) > defaults.maxBackfillDays) {
    issues.push({
      field: "endDate",
      message:
        `the range covers ${daysBetween(start, end)} days; at most ${defaults.maxBackfillDays} ` +
        `per request (${FUNCTION_ENV.maxBackfillDays})`,
    });
  }
  if (end >= utcDay(now)) {
    issues.push({
      field: endField,
      message: `${end} is not complete yet (today is ${utcDay(now)} UTC); the last complete day is ${utcDay(now, -1)}`,
    });
  }
  if (req.shard && req.shard.index >= req.shard.count) {
    issues.push({
      field: "shard.index",
      message: `must be below shard.count (${req.shard.count})`,
    });
  }
  if (issues.length > 0) throw new RequestError(issues);

  return {
    dateRange: { start, end },
    shard: req.shard ?? null,
    stage: req.stage ?? "all",
    dryRun: req.dryRun ?? false,
    seed: req.seed ?? null,
    users: req.users ?? null,
  };
}

/**
 * The world a job runs in: a dry run's own seed/scale when it names them; else the deployed
 * environment's; locally, with no world variable set, the world the data folder holds, so the
 * functions served over an `npm start` folder extend that folder's world. A day before the
 * world's first day is refused naming the field.
 */
export function resolveJobWorld(
  job: GenerateJob,
  defaults: GeneratorDefaults,
  held: WorldManifest | null,
  local: boolean,
): JobWorld {
  let world: JobWorld;
  if (job.seed !== null || job.users !== null)
    world = {
      seed: job.seed ?? defaults.seed,
      users: job.users ?? defaults.users,
      startDate: defaults.startDate,
      from: "request",
    };
  else if (
    local &&
    !defaults.explicit &&
    held?.source === "synthetic" &&
    held.seed !== null &&
    held.users !== null
  )
    world = { seed: held.seed, users: held.users, startDate: held.startDate, from: "data" };
  else
    world = {
      seed: defaults.seed,
      users: defaults.users,
      startDate: defaults.startDate,
      from: "environment",
    };
  if (job.dateRange.start < world.startDate) {
    throw new RequestError([
      {
        field: job.dateRange.start === job.dateRange.end ? "date" : "startDate",
        message: `${job.dateRange.start} is before the world's first day ${world.startDate}`,
      },
    ]);
  }
  return world;
}
