/**
 * The synthetic shop generator: a deterministic, shardable world of users, sessions, funnel
 * events, orders and subscriptions, generated inside DuckDB with SQL (rows never pass through
 * JS one by one), with every parameter in `params.ts` and the model explained in
 * `docs/generation-rules.md`.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdbColumns, RAW_TABLE_NAMES, RAW_TABLES, type RawTableName } from "../contract";
import {
  productDemandTempSql,
  productsInsertSql,
  productsTempSql,
  promoCalendarInsertSql,
} from "./dimensionsStage";
import { dayNumber, isoDate } from "./calendar";
import { assignCampaigns, CAMPAIGN_ASSIGNMENTS } from "./campaignAssignment";
import { campaignCalendar } from "./campaignCalendar";
import { BATCH_CAMPAIGN, campaignBatchStatements } from "./campaignStage";
import { eventsSql } from "./eventsStage";
import { resolveOptions } from "./options";
import { batchOrdersSql, orderItemsInsertSql, ordersInsertSql } from "./ordersStage";
import { CAMPAIGNS, WORLD, type CampaignEffects } from "./params";
import { batchSessionsViewSql, sessionDrawsSql, sessionsSql } from "./sessionsStage";
import { subscriptionsInsertSql } from "./subscriptionsStage";
import { batchUsersSql, signupDaysSql, usersInsertSql } from "./usersStage";
import { buildWorld, type World } from "./world";

/**
 * What slice of which world to generate. A world is its seed, scale and first day: the rows of a
 * day never depend on `endDate` (how far the world is generated), only the state tables
 * (subscriptions, the promotions started so far) describe `endDate`.
 */
export interface GenerateOptions {
  /** Seed of every random draw; default 42. */
  seed: number;
  /** Scale: users who sign up over the world's first two years (`SIGNUPS.scaleDays`). */
  users: number;
  /** First day of the world, YYYY-MM-DD (signups begin here). */
  startDate: string;
  /** Last day generated, inclusive: the observation end, the day the state tables describe. */
  endDate: string;
  /**
   * Only the users whose index is `index` modulo `count`. The index is the position in signup
   * order, which is also id order: index i is user `U{i+1, zero-padded to 7}`. A shard by
   * residue is the same users whatever days or how far the world is generated, so the files of
   * one shard never overlap another's.
   */
  shard?: { index: number; count: number };
  /** Only users with index in [from, to) (of the shard): a batch of the pipeline. */
  userRange?: { from: number; to: number };
  /**
   * Only rows of partitioned tables whose partition day (contract partitionColumn, UTC) is within
   * [start, end]; tables without a partition column are produced as of `endDate`.
   */
  dateRange?: { start: string; end: string };
}

/** The reference world: 30k users signing up over 2024-2025, seed 42. */
export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = {
  seed: WORLD.seed,
  users: WORLD.users,
  startDate: WORLD.startDate,
  endDate: WORLD.endDate,
};

/**
 * The users who have signed up by the world's `endDate` (indices `0..n-1`) and the signup day
 * (`YYYY-MM-DD`) of a user index: what the pipeline needs to cut a shard into batches.
 */
export function worldUsers(options: GenerateOptions): {
  count: number;
  signupDate: (userIndex: number) => string;
} {
  const world = buildWorld(resolveOptions(options));
  const schedule = world.schedule;
  return {
    count: schedule[schedule.length - 1]?.nextIndex ?? 0,
    signupDate: (userIndex) => {
      const day = schedule.find((d) => userIndex < d.nextIndex);
      if (!day) throw new Error(`user index ${userIndex} has not signed up by ${options.endDate}`);
      return isoDate(day.day);
    },
  };
}

/** The users of shard `index` of `count` among the first `users` indices. */
export function shardSize(users: number, shard: { index: number; count: number }): number {
  return users > shard.index ? Math.floor((users - 1 - shard.index) / shard.count) + 1 : 0;
}

const TEMP_TABLES = [
  "gen_signup_days",
  "gen_products",
  "gen_product_demand",
  "gen_batch_users",
  "gen_batch_orders",
  CAMPAIGN_ASSIGNMENTS,
  BATCH_CAMPAIGN,
];
const TEMP_VIEWS = ["gen_batch_sessions"];

/** SQL of a view's rows on days [firstDay, lastDay] (day numbers) inside the date range. */
type DayRangeSql = (world: World, firstDay: number, lastDay: number) => string;

/**
 * The tables generated as views over `gen.session_draws`, each with the SQL of a range of its
 * days: `gen.<table>` is the whole date range, and the lake writer asks for a share's days.
 */
const VIEWS = { sessions: sessionsSql, events: eventsSql } satisfies Partial<
  Record<RawTableName, DayRangeSql>
>;

/**
 * For the lake writer (`writeLake`'s `daySources`): the SQL of each generated view's rows on days
 * `first`..`last` (`YYYY-MM-DD`) of the world `options` describes, so each share computes only
 * its own days instead of the whole view.
 */
export function viewDaySources(
  options: GenerateOptions,
): Partial<Record<RawTableName, (first: string, last: string) => string>> {
  const world = buildWorld(resolveOptions(options));
  return Object.fromEntries(
    Object.entries(VIEWS).map(([table, sql]) => [
      table,
      (first: string, last: string) => sql(world, dayNumber(first), dayNumber(last)),
    ]),
  );
}

/**
 * Generates the selected slice of the world into tables `gen.<table>` of the given DuckDB
 * connection (schema `gen` created/replaced), each with exactly the contract's columns in contract
 * order and types, and returns row counts per table. `gen.sessions` and `gen.events` are views
 * over the sessions' draws (`gen.session_draws`), computed when read; `sessionsSql` and
 * `eventsSql` give a day range of them cheaply.
 * `onProgress(stage, usersDone, usersTotal)` is called as each stage of each user batch starts
 * ("dimensions" first, "done" last). Users are processed in batches of `WORLD.batchUsers`, so
 * intermediate tables stay small at any scale; the caller sets `memory_limit` on the database.
 * Invalid options throw before anything is touched.
 */
export async function generateShop(
  connection: DuckDBConnection,
  options: GenerateOptions,
  onProgress?: (stage: string, done: number, total: number) => void,
): Promise<Record<RawTableName, number>> {
  return generateInBatches(connection, options, WORLD.batchUsers, onProgress);
}

/**
 * `generateShop` with an explicit batch size, so tests can prove that batching (like sharding)
 * does not change a single row, and with the campaign's effects as a parameter, so a study can
 * run the same campaigns with nothing planted (`NO_CAMPAIGN_EFFECT`, an A/A test).
 */
export async function generateInBatches(
  connection: DuckDBConnection,
  options: GenerateOptions,
  batchUsers: number,
  onProgress?: (stage: string, done: number, total: number) => void,
  campaignEffects: CampaignEffects = CAMPAIGNS.effects,
): Promise<Record<RawTableName, number>> {
  await generateTables(connection, options, batchUsers, onProgress, campaignEffects);
  return (await countGenerated(connection, RAW_TABLE_NAMES)) as Record<RawTableName, number>;
}

/**
 * Generates the shop into schema `gen` (`generateInBatches` without the counts): the stored
 * tables, and sessions and events as views over the session draws.
 */
export async function generateTables(
  connection: DuckDBConnection,
  options: GenerateOptions,
  batchUsers: number = WORLD.batchUsers,
  onProgress?: (stage: string, done: number, total: number) => void,
  campaignEffects: CampaignEffects = CAMPAIGNS.effects,
): Promise<void> {
  if (!Number.isInteger(batchUsers) || batchUsers < 1)
    throw new Error(`batchUsers must be a positive integer, got ${batchUsers}`);
  const resolved = resolveOptions(options);
  const world = buildWorld(resolved);
  const progress = onProgress ?? (() => undefined);

  await connection.run("drop schema if exists gen cascade");
  await connection.run("create schema gen");
  // Sessions and events are views over the session draws, created once the draws exist.
  for (const name of RAW_TABLE_NAMES.filter((n) => !(n in VIEWS)))
    await connection.run(`create table gen.${name} (\n    ${duckdbColumns(RAW_TABLES[name])}\n)`);

  try {
    progress("dimensions", 0, 1);
    await connection.run(signupDaysSql(world));
    await connection.run(productsTempSql(world));
    await connection.run(productDemandTempSql(world));
    await connection.run(productsInsertSql());
    await connection.run(promoCalendarInsertSql(world));
    progress("dimensions", 1, 1);

    // The campaigns' targets and groups come from a first pass over every user's orders (a
    // tier's quartile needs all of them, whatever slice this run generates). A run whose one batch
    // is the whole world reads them from its own draws; any other run draws them first.
    const campaigns = campaignCalendar(world.options.startDay, world.options.endDay);
    const wholeWorld = world.schedule[world.schedule.length - 1]?.nextIndex ?? 0;
    const oneBatchOfEveryUser =
      resolved.shardCount === 1 &&
      resolved.userFrom === 0 &&
      (resolved.userTo === null || resolved.userTo >= wholeWorld) &&
      wholeWorld <= batchUsers;
    if (!oneBatchOfEveryUser)
      await assignCampaigns(connection, world, campaigns, campaignEffects, batchUsers);

    const { userFrom, shardCount } = resolved;
    const worldEnd = world.schedule[world.schedule.length - 1]?.nextIndex ?? 0;
    const userTo = Math.min(resolved.userTo ?? worldEnd, worldEnd);
    const total = Math.max(0, Math.ceil((userTo - userFrom) / shardCount));
    // A batch spans `batchUsers` of the shard's users: any `batchUsers * shardCount` consecutive
    // indices hold exactly that many of one residue. At least one batch, even of no users: it
    // creates the session draws both views read.
    const span = batchUsers * shardCount;
    for (let from = userFrom; from < userTo || from === userFrom; from += span) {
      const to = Math.min(userTo, from + span);
      const drawn: [string, string][] = [
        ["users", batchUsersSql(world, from, to)],
        ["users", usersInsertSql(world)],
        ["sessions", sessionDrawsSql(world, from === userFrom)],
      ];
      for (const [stage, sql] of drawn) {
        progress(stage, Math.ceil((from - userFrom) / shardCount), total);
        await connection.run(sql);
      }
      if (oneBatchOfEveryUser)
        await assignCampaigns(connection, world, campaigns, campaignEffects, batchUsers, true);
      const stages: [string, string][] = [
        // The visits the campaigns cause join the draws before anything reads them.
        ...campaignBatchStatements(world, campaignEffects, campaigns).map(
          (sql): [string, string] => ["campaigns", sql],
        ),
        ["sessions", batchSessionsViewSql(from, to)],
        ["orders", batchOrdersSql(world)],
        ["orders", ordersInsertSql(world)],
        ["order_items", orderItemsInsertSql(world)],
        ["subscriptions", subscriptionsInsertSql(world)],
      ];
      for (const [stage, sql] of stages) {
        progress(stage, Math.ceil((from - userFrom) / shardCount), total);
        await connection.run(sql);
      }
    }
    const { rangeStartDay, rangeEndDay } = resolved;
    for (const [table, sql] of Object.entries(VIEWS))
      await connection.run(
        `create or replace view gen.${table} as\n${sql(world, rangeStartDay, rangeEndDay)}`,
      );
    progress("done", total, total);
  } finally {
    for (const view of TEMP_VIEWS) await connection.run(`drop view if exists temp.${view}`);
    for (const table of TEMP_TABLES) await connection.run(`drop table if exists temp.${table}`);
  }
}

/** The tables generated as views: counting one computes it whole. */
export const GENERATED_VIEWS = Object.keys(VIEWS) as RawTableName[];

/**
 * Rows of the generated tables `names` in `gen`. The lake writer counts the views' rows per day
 * anyway, so a run that writes the lake asks here for the stored tables only: counting the events
 * view computed all 1.9M events once more (a quarter of a second at reference scale).
 */
export async function countGenerated(
  connection: DuckDBConnection,
  names: readonly RawTableName[],
): Promise<Partial<Record<RawTableName, number>>> {
  const counts: Partial<Record<RawTableName, number>> = {};
  for (const name of names) {
    const reader = await connection.runAndReadAll(`select count(*) as n from gen.${name}`);
    counts[name] = Number(reader.getRows()[0]?.[0] ?? 0);
  }
  return counts;
}
