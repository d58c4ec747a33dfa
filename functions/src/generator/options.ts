/**
 * Validation of generator options, done once before any work, with errors that name the field.
 * Written out rather than as a zod schema: `npm start` validates its options before its first
 * statement, and loading zod there held the main thread, with DuckDB idle, for about 0.2 s.
 */
import { dayNumber } from "./calendar";
import type { GenerateOptions } from "./index";

/** A YYYY-MM-DD calendar date, or what is wrong with the value. */
function dateProblem(value: unknown): string | null {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value))
    return "expected a date as YYYY-MM-DD";
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value)
    ? null
    : "not a calendar date";
}

/** An integer in [min, max], or what is wrong with the value. */
function integerProblem(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): string | null {
  if (typeof value !== "number" || !Number.isInteger(value)) return "expected an integer";
  return value < min || value > max ? `expected an integer from ${min} to ${max}` : null;
}

/** The fields of an object, each with its check; `problems` gets `path: message` for each. */
function checkObject(
  value: unknown,
  path: string,
  fields: Record<string, (field: unknown) => string | null>,
  problems: string[],
): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${path}: expected an object`);
    return;
  }
  const record = value as Record<string, unknown>;
  const at = (key: string) => (path === "options" ? key : `${path}.${key}`);
  for (const key of Object.keys(record))
    if (!Object.hasOwn(fields, key)) problems.push(`${at(key)}: unknown option`);
  for (const [key, check] of Object.entries(fields)) {
    const problem = check(record[key]);
    if (problem !== null) problems.push(`${at(key)}: ${problem}`);
  }
}

/** An optional nested object: absent is fine, anything else is checked field by field. */
function optionalObject(
  path: string,
  fields: Record<string, (field: unknown) => string | null>,
  problems: string[],
): (value: unknown) => null {
  return (value) => {
    if (value !== undefined) checkObject(value, path, fields, problems);
    return null;
  };
}

/** The options' shape and ranges: every problem, each naming its field. */
function shapeProblems(options: unknown): string[] {
  const problems: string[] = [];
  checkObject(
    options,
    "options",
    {
      seed: (v) => integerProblem(v, 0, 2 ** 31 - 1),
      users: (v) => integerProblem(v, 1, 99_999_999),
      startDate: dateProblem,
      endDate: dateProblem,
      shard: optionalObject(
        "shard",
        { index: (v) => integerProblem(v, 0), count: (v) => integerProblem(v, 1) },
        problems,
      ),
      userRange: optionalObject(
        "userRange",
        { from: (v) => integerProblem(v, 0), to: (v) => integerProblem(v, 0) },
        problems,
      ),
      dateRange: optionalObject("dateRange", { start: dateProblem, end: dateProblem }, problems),
    },
    problems,
  );
  return problems;
}

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
  const shape = shapeProblems(options);
  if (shape.length > 0) throw new Error(`Invalid generator options: ${shape.join("; ")}`);
  const o = options as GenerateOptions;
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
