import { z } from "zod";
import { FUNCTION_ENV, USERS_BOUNDS, type GeneratorDefaults } from "../backends/fromEnv";
import { parseRequest, RequestError } from "./httpErrors";

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
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    users: z.number().int().min(USERS_BOUNDS.min).max(USERS_BOUNDS.max).optional(),
    /** Generate only users in shard `index` of `count` contiguous user ranges (fan-out). */
    shard: z
      .object({ index: z.number().int().min(0), count: z.number().int().min(1).max(1000) })
      .strict()
      .optional(),
    /** Generate and count, but write nothing to the lake or the warehouse. */
    dryRun: z.boolean().optional(),
  })
  .strict();
export type GenerateDataBody = z.infer<typeof GenerateDataBody>;

/** A validated request with every default filled in: exactly what the job will do. */
export interface GenerateJob {
  readonly seed: number;
  readonly users: number;
  /** First day of the simulated shop (from the deployed config). */
  readonly worldStart: string;
  /** Last day of the simulated world: the configured horizon end, else the request's last day. */
  readonly worldEnd: string;
  /** The days to generate and load, both included. */
  readonly dateRange: { readonly start: string; readonly end: string };
  readonly shard: { readonly index: number; readonly count: number } | null;
  readonly dryRun: boolean;
}

/**
 * Validates a body against the schema and the deployed limits (backfill cap, the shop's first
 * day, the horizon) and fills defaults. Throws a RequestError naming each field at fault.
 */
export function resolveGenerateJob(
  body: unknown,
  defaults: GeneratorDefaults,
  now: Date = new Date(),
): GenerateJob {
  const req = parseRequest(GenerateDataBody, body);
  const issues: { field: string; message: string }[] = [];
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
  if (issues.length > 0) throw new RequestError(issues);

  const start = req.startDate ?? req.date ?? utcDay(now, -1);
  const end = req.endDate ?? req.date ?? start;
  const endField = req.endDate !== undefined ? "endDate" : req.date !== undefined ? "date" : "date";
  const startField = req.startDate !== undefined ? "startDate" : "date";
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
  if (start < defaults.startDate) {
    issues.push({
      field: startField,
      message: `${start} is before the shop's first day ${defaults.startDate} (${FUNCTION_ENV.generatorStartDate})`,
    });
  }
  if (defaults.horizonEnd !== null && end > defaults.horizonEnd) {
    issues.push({
      field: endField,
      message: `${end} is after the configured horizon end ${defaults.horizonEnd} (${FUNCTION_ENV.generatorHorizonEnd})`,
    });
  }
  const users = req.users ?? defaults.users;
  if (req.shard && req.shard.index >= req.shard.count) {
    issues.push({
      field: "shard.index",
      message: `must be below shard.count (${req.shard.count})`,
    });
  }
  if (req.shard && req.shard.count > users) {
    issues.push({ field: "shard.count", message: `must not exceed users (${users})` });
  }
  if (issues.length > 0) throw new RequestError(issues);

  return {
    seed: req.seed ?? defaults.seed,
    users,
    worldStart: defaults.startDate,
    worldEnd: defaults.horizonEnd ?? end,
    dateRange: { start, end },
    shard: req.shard ?? null,
    dryRun: req.dryRun ?? false,
  };
}
