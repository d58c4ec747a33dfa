/**
 * Who each campaign targets, and who of them gets the message: a first pass over every user's
 * orders before the campaign days, whatever slice of the world the run generates.
 *
 * Eligibility is the tier-Q3 rule of `dm_churn_risk` (a buyer not yet churned whose silence
 * exceeds the upper quartile of the purchase cycles in their purchase-count tier), evaluated as
 * of the day before the campaign, so it reads only earlier data. The quartile is over *every*
 * buyer of the tier, so no shard or batch can decide it from its own users: this pass generates
 * the orders of all users up to the last campaign day (sessions and orders only, nothing else),
 * then, campaign by campaign, runs the mart's own SQL (`sql/marts/dm_churn_risk.sql`, translated
 * for DuckDB as the local warehouse runs it, ahead of time: `churnRuleDuckDb.ts`) over them. One
 * definition of the rule, which the mart, the generator and the eligibility check all answer to.
 *
 * A campaign's purchases are orders like any other, so the next campaign's rule sees them: the
 * pass adds each campaign's caused purchases before evaluating the next one.
 *
 * Eligible users are randomised within each tier: ranked by a hash of (seed, user, campaign), the
 * first `treatmentShare` of each tier (rounded up) are treated, the rest are the control. The
 * result is a temp table `gen_campaign_assignments` that the batches read; it depends only on the
 * world and the campaigns, so it is cached in the process for the next batch or the next day.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { MARKETING_SOURCES, USER_TYPES } from "../contract";
import { CAMPAIGN_PASS_SCHEMA, churnRuleDuckDbSql } from "./churnRuleDuckDb";
import { isoDate } from "./calendar";
import type { Campaign } from "./campaignCalendar";
import { campaignReactionsSql } from "./campaignReactions";
import { resolveOptions, type ResolvedOptions } from "./options";
import { CAMPAIGNS, WORLD, type CampaignEffects } from "./params";
import { hashSql, SALT } from "./random";
import { batchOrdersSql } from "./ordersStage";
import { batchSessionsViewSql, sessionDrawsSql, SESSION_DRAWS } from "./sessionsStage";
import { batchUsersSql } from "./usersStage";
import { buildWorld, dateSql, stringList, timestampSql, userIdSql, type World } from "./world";

/** The temp table of every campaign's assignments the batches read. */
export const CAMPAIGN_ASSIGNMENTS = "gen_campaign_assignments";

/** The schema the first pass builds its stand-in `raw` tables in, dropped when it ends. */
const PASS_SCHEMA = CAMPAIGN_PASS_SCHEMA;

/** One user's place in one campaign. */
export interface Assignment {
  readonly campaignKey: number;
  readonly campaignDay: number;
  readonly userIndex: number;
  readonly tier: string;
  readonly isTreatment: boolean;
}

/** The last few worlds' assignments, by world, effects and campaigns: a pass is a whole world's orders. */
const cache = new Map<string, readonly Assignment[]>();
const CACHE_SIZE = 4;

function cacheKey(
  options: ResolvedOptions,
  effects: CampaignEffects,
  campaigns: readonly Campaign[],
) {
  return JSON.stringify([
    WORLD.modelVersion,
    options.seed,
    options.users,
    options.startDay,
    campaigns.map((c) => c.key),
    effects,
  ]);
}

/**
 * Creates `gen_campaign_assignments` (campaign key and day, user index, tier, treatment flag) for
 * every campaign in `campaigns`, for all users of the world (the batches filter their own).
 * `drawsOfEveryUser`: the run's one batch is the whole world and its session draws exist already
 * (`gen_batch_users` and the draws), so the pass reads the orders from them instead of drawing
 * every visit a second time; a day's draws are the same whatever the world's last day.
 */
export async function assignCampaigns(
  connection: DuckDBConnection,
  world: World,
  campaigns: readonly Campaign[],
  effects: CampaignEffects,
  batchUsers: number,
  drawsOfEveryUser = false,
): Promise<void> {
  const key = cacheKey(world.options, effects, campaigns);
  let assignments = cache.get(key);
  if (!assignments) {
    assignments = await firstPass(
      connection,
      world,
      campaigns,
      effects,
      batchUsers,
      drawsOfEveryUser,
    );
    cache.set(key, assignments);
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  await writeAssignments(connection, assignments);
}

/**
 * Forgets every cached pass, so the next run draws its own: tests use it to prove that a pass
 * drawn batch by batch and one read from a whole-world batch agree.
 */
export function forgetCampaignAssignments(): void {
  cache.clear();
}

/** Loads assignment rows into the temp table, in chunks of literal rows. */
async function writeAssignments(
  connection: DuckDBConnection,
  assignments: readonly Assignment[],
): Promise<void> {
  await connection.run(`create or replace temp table ${CAMPAIGN_ASSIGNMENTS} (
    campaign_key integer, campaign_day integer, user_index bigint, tier varchar, is_treatment boolean
)`);
  for (let i = 0; i < assignments.length; i += 2000) {
    const values = assignments
      .slice(i, i + 2000)
      .map(
        (a) =>
          `(${a.campaignKey}, ${a.campaignDay}, ${a.userIndex}, '${a.tier}', ${a.isTreatment})`,
      );
    await connection.run(`insert into ${CAMPAIGN_ASSIGNMENTS} values ${values.join(", ")}`);
  }
}

/** The world as the first pass sees it: all users, every day before the last campaign day. */
function passWorld(world: World, lastDay: number): World {
  const o = world.options;
  return buildWorld(
    resolveOptions({
      seed: o.seed,
      users: o.users,
      startDate: isoDate(o.startDay),
      endDate: isoDate(Math.max(o.startDay, lastDay)),
    }),
  );
}

async function firstPass(
  connection: DuckDBConnection,
  world: World,
  campaigns: readonly Campaign[],
  effects: CampaignEffects,
  batchUsers: number,
  drawsOfEveryUser: boolean,
): Promise<Assignment[]> {
  if (campaigns.length === 0) return [];
  const last = campaigns[campaigns.length - 1]!;
  // Orders up to the day before the last campaign: everything any campaign's rule reads.
  const pass = passWorld(world, last.day - 1);
  const { seed } = world.options;
  const run = (sql: string) => connection.run(sql);
  await run(`drop schema if exists ${PASS_SCHEMA} cascade`);
  await run(`create schema ${PASS_SCHEMA}`);
  try {
    await run(`create table ${PASS_SCHEMA}.user_rows (
    user_index bigint, user_id varchar, signup_date date, user_type varchar,
    marketing_source varchar, anomaly_flag boolean
)`);
    await run(`create table ${PASS_SCHEMA}.order_rows (user_id varchar, order_ts timestamptz)`);
    await run(`create table ${PASS_SCHEMA}.assignments (
    campaign_key integer, campaign_day integer, user_index bigint, tier varchar, is_treatment boolean
)`);
    // The stand-ins for the raw tables the rule reads. It reads sessions only for a column the
    // rule does not use (the last visit), so they stay empty.
    await run(`create view ${PASS_SCHEMA}.users as select * from ${PASS_SCHEMA}.user_rows`);
    await run(`create view ${PASS_SCHEMA}.orders as select * from ${PASS_SCHEMA}.order_rows`);
    await run(
      `create view ${PASS_SCHEMA}.sessions as select ''::varchar as user_id, null::timestamptz as session_start_ts where false`,
    );

    const worldEnd = pass.schedule[pass.schedule.length - 1]?.nextIndex ?? 0;
    const readBatch = async (from: number, to: number) => {
      await run(batchSessionsViewSql(from, to));
      await run(batchOrdersSql(pass));
      await run(`insert into ${PASS_SCHEMA}.user_rows
select
    user_index,
    user_id,
    ${dateSql("signup_day")},
    ${stringList(USER_TYPES)}[type_index + 1],
    ${stringList(MARKETING_SOURCES)}[source_index + 1],
    anomaly_kind > 0
from gen_batch_users
where signup_day < ${last.day}`);
      await run(`insert into ${PASS_SCHEMA}.order_rows
select user_id, ${timestampSql("order_sec")} from gen_batch_orders`);
      await run("drop view if exists temp.gen_batch_sessions");
      await run("drop table if exists temp.gen_batch_orders");
    };
    if (drawsOfEveryUser) {
      await readBatch(0, worldEnd);
    } else if (last.day - 1 >= world.options.startDay) {
      for (let from = 0; from < worldEnd; from += batchUsers) {
        const to = Math.min(worldEnd, from + batchUsers);
        await run(batchUsersSql(pass, from, to));
        await run(sessionDrawsSql(pass, true));
        await readBatch(from, to);
        await run(`drop table if exists ${SESSION_DRAWS}`);
      }
    }

    for (const campaign of campaigns) {
      await run(eligibleSql(campaign));
      await run(`insert into ${PASS_SCHEMA}.assignments
with

ranked as (

    select
        users.user_index,
        eligible.purchase_count_tier as tier,
        row_number() over (
            partition by eligible.purchase_count_tier
            order by ${hashSql(seed, SALT.campaignAssignment, "users.user_index", String(campaign.key))}, users.user_index
        ) as tier_rank,
        count(*) over (partition by eligible.purchase_count_tier) as tier_users

    from gen_campaign_eligible as eligible
    inner join ${PASS_SCHEMA}.user_rows as users using (user_id)

)

select
    ${campaign.key},
    ${campaign.day},
    user_index,
    tier,
    tier_rank <= ceil(tier_users * ${CAMPAIGNS.treatmentShare})
from ranked`);
      // The campaign's purchases are orders the next campaign's rule sees.
      await run(`insert into ${PASS_SCHEMA}.order_rows
select
    ${userIdSql("user_index")},
    ${timestampSql("purchase_start_sec + purchase_offset_purchase")}
from (
${campaignReactionsSql(seed, effects, `(select * from ${PASS_SCHEMA}.assignments where campaign_key = ${campaign.key})`)}
)
where purchase_start_sec is not null`);
    }
    const reader = await connection.runAndReadAll(
      `select campaign_key, campaign_day, user_index, tier, is_treatment
from ${PASS_SCHEMA}.assignments order by campaign_key, user_index`,
    );
    return reader.getRowObjectsJson().map((r) => ({
      campaignKey: Number(r.campaign_key),
      campaignDay: Number(r.campaign_day),
      userIndex: Number(r.user_index),
      tier: String(r.tier),
      isTreatment: Boolean(r.is_treatment),
    }));
  } finally {
    await run("drop table if exists temp.gen_campaign_eligible");
    await run(`drop schema if exists ${PASS_SCHEMA} cascade`);
  }
}

/**
 * `temp.gen_campaign_eligible`: the users on `dm_churn_risk`'s reactivation list the day before
 * the campaign, from the mart's own SQL over the pass's stand-in tables (translated to DuckDB
 * ahead of time, `churnRuleDuckDb.ts`, so the cloud function ships no translator).
 */
function eligibleSql(campaign: Campaign): string {
  return `create or replace temp table gen_campaign_eligible as
select user_id, purchase_count_tier
from (
${churnRuleDuckDbSql(isoDate(campaign.day - 1))}
)
where is_reactivation_target`;
}
