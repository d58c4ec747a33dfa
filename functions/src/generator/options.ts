/**
 * Validation of generator options, done once before any work, with errors that name the field.
 */
import { z } from "zod";
import { dayNumber } from "./calendar";

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD")
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
      new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    "not a calendar date",
  );

const OptionsSchema = z
  .object({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    users: z.number().int().min(1).max(99_999_999),
    startDate: isoDate,
    endDate: isoDate,
    shard: z
      .object({ index: z.number().int().min(0), count: z.number().int().min(1) })
      .strict()
      .optional(),
    userRange: z
      .object({ from: z.number().int().min(0), to: z.number().int().min(0) })
      .strict()
      .optional(),
    dateRange: z.object({ start: isoDate, end: isoDate }).strict().optional(),
  })
  .strict();

/** Options resolved to day numbers and a concrete user index range. */
export interface ResolvedOptions {
  seed: number;
  users: number;
  startDay: number;
  /** The last day generated; the state tables (subscriptions, promotions) describe this day. */
  endDay: number;
  /** User indices in [userFrom, userTo) (`userTo` null: no upper bound but the world's end)... */
  userFrom: number;
  userTo: number | null;
  /** ...that are `shardIndex` modulo `shardCount`. */
  shardIndex: number;
  shardCount: number;
  /** Partition days kept in partitioned tables, inclusive. */
  rangeStartDay: number;
  rangeEndDay: number;
  /** The day unpartitioned tables (subscriptions) describe: the last day generated. */
  asOfDay: number;
}

/** Checks options and resolves them; throws one error listing every problem. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join(".") || "options"}: ${i.message}`,
    );
    throw new Error(`Invalid generator options: ${problems.join("; ")}`);
  }
  const o = parsed.data;
  const startDay = dayNumber(o.startDate);
  const endDay = dayNumber(o.endDate);
  const problems: string[] = [];
  if (endDay < startDay) problems.push(`endDate ${o.endDate} is before startDate ${o.startDate}`);
  const userFrom = o.userRange?.from ?? 0;
  const userTo = o.userRange?.to ?? null;
  if (userTo !== null && userFrom > userTo)
    problems.push(`userRange [${userFrom}, ${userTo}) ends before it starts`);
  const shardIndex = o.shard?.index ?? 0;
  const shardCount = o.shard?.count ?? 1;
  if (shardIndex >= shardCount)
    problems.push(`shard.index ${shardIndex} must be below shard.count ${shardCount}`);
  const rangeStartDay = o.dateRange ? dayNumber(o.dateRange.start) : startDay;
  const rangeEndDay = o.dateRange ? dayNumber(o.dateRange.end) : endDay;
  if (
    o.dateRange &&
    (rangeStartDay > rangeEndDay || rangeStartDay < startDay || rangeEndDay > endDay)
  )
    problems.push(
      `dateRange ${o.dateRange.start}..${o.dateRange.end} must be ordered and lie within ${o.startDate}..${o.endDate}`,
    );
  if (problems.length > 0) throw new Error(`Invalid generator options: ${problems.join("; ")}`);
  return {
    seed: o.seed,
    users: o.users,
    startDay,
    endDay,
    userFrom,
    userTo,
    shardIndex,
    shardCount,
    rangeStartDay,
    rangeEndDay,
    asOfDay: endDay,
  };
}
