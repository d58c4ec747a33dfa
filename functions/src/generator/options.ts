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

/**
 * Checks the value found at `path` (`shard.index`; "" for the options themselves) and returns its
 * problems, each as `path: message`.
 */
type Check = (value: unknown, path: string) => string[];

/** A check of one value, from a function that says what is wrong with it (null: nothing). */
const problemOf =
  (problem: (value: unknown) => string | null): Check =>
  (value, path) => {
    const message = problem(value);
    return message === null ? [] : [`${path}: ${message}`];
  };

const integer = (min: number, max?: number) => problemOf((v) => integerProblem(v, min, max));
const date = problemOf(dateProblem);

/** An object holding these fields and no other; with `optional`, also absent. */
function object(fields: Record<string, Check>, optional = false): Check {
  return (value, path) => {
    if (optional && value === undefined) return [];
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return [`${path || "options"}: expected an object`];
    const record = value as Record<string, unknown>;
    const at = (key: string) => (path ? `${path}.${key}` : key);
    return [
      ...Object.keys(record)
        .filter((key) => !Object.hasOwn(fields, key))
        .map((key) => `${at(key)}: unknown option`),
      ...Object.entries(fields).flatMap(([key, check]) => check(record[key], at(key))),
    ];
  };
}

/** The options' shape and ranges: every problem, each naming its field. */
const OPTIONS = object({
  seed: integer(0, 2 ** 31 - 1),
  users: integer(1, 99_999_999),
  startDate: date,
  endDate: date,
  shard: object({ index: integer(0), count: integer(1) }, true),
  userRange: object({ from: integer(0), to: integer(0) }, true),
  dateRange: object({ start: date, end: date }, true),
});

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
  const shape = OPTIONS(options, "");
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
