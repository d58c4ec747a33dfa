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
  endDay: number;
  /** User indices [userFrom, userTo). */
  userFrom: number;
  userTo: number;
  /** Partition days kept in partitioned tables, inclusive. */
  rangeStartDay: number;
  rangeEndDay: number;
  /** The day unpartitioned tables (subscriptions) describe: the end of the date range. */
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
  const userTo = o.userRange?.to ?? o.users;
  if (userFrom > userTo || userTo > o.users)
    problems.push(`userRange [${userFrom}, ${userTo}) must lie within [0, ${o.users})`);
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
    rangeStartDay,
    rangeEndDay,
    asOfDay: rangeEndDay,
  };
}
