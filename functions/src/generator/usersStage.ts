/**
 * Users: who signs up when, their latent type and the per-user parameters every later stage
 * reads (rhythm, lifetime, number of sessions, purchase propensity). Hidden parameters stay in
 * the batch table; only contract columns reach `gen.users`.
 */
import { DEVICES, MARKETING_SOURCES, REGIONS, USER_TYPES } from "../contract";
import {
  ANOMALIES,
  DEVICE_SHARES,
  REGION_SHARES,
  RHYTHM,
  SOURCE_SHARES_BY_TYPE,
  TYPE_SHARES,
} from "./params";
import { categoricalSql, hashSql, normalSql, SALT, uniformSql as u } from "./random";
import { byType, dateSql, dbl, stringList, userIdSql, type World } from "./world";

/** Temp table of the signup schedule: which user indices sign up on which day. */
export function signupDaysSql(world: World): string {
  const rows = world.schedule.map((d) => `(${d.day}, ${d.firstIndex}, ${d.nextIndex})`);
  // A world generated to a day before its first signup has no rows: an empty table of the shape.
  const values = rows.length > 0 ? rows.join(", ") : "(0, 0, 0)";
  return `create or replace temp table gen_signup_days as
select * from (values ${values}) as t(signup_day, first_index, next_index)${rows.length > 0 ? "" : "\nwhere false"}`;
}

/**
 * Temp table of the users with index in [from, to) that belong to the world's shard (index
 * `shardIndex` modulo `shardCount`), with their hidden behaviour parameters.
 */
export function batchUsersSql(world: World, from: number, to: number): string {
  const { seed, shardIndex, shardCount } = world.options;
  // The first index at or after a day's first index that belongs to the shard.
  const lowest = `greatest(first_index, ${from})`;
  const aligned = `${lowest} + ((${shardIndex} - ${lowest}) % ${shardCount} + ${shardCount}) % ${shardCount}`;
  const sourceBranches = USER_TYPES.map((type, index) => {
    const shares = SOURCE_SHARES_BY_TYPE[type];
    return `when ${index} then ${categoricalSql(
      u("h2", 0),
      MARKETING_SOURCES.map((s) => shares[s]),
    )}`;
  });
  return `create or replace temp table gen_batch_users as
-- Grain: one row per user of the batch.
with

indexed as (

    select
        signup_day,
        unnest(range(${aligned}, least(next_index, ${to}), ${shardCount})) as user_index

    from gen_signup_days
    where next_index > ${from} and first_index < ${to}

),

drawn as (

    select
        *,
        ${hashSql(seed, SALT.user, "user_index")} as h1,
        ${hashSql(seed, SALT.userShape, "user_index")} as h2,
        ${hashSql(seed, SALT.userLifetime, "user_index")} as h3,
        ${hashSql(seed, SALT.userVisits, "user_index")} as h4,
        ${hashSql(seed, SALT.userAnomaly, "user_index")} as h5

    from indexed

),

typed as (

    select
        *,
        ${categoricalSql(
          u("h1", 0),
          USER_TYPES.map((t) => TYPE_SHARES[t]),
        )} as type_index,
        ${categoricalSql(
          u("h1", 1),
          DEVICES.map((d) => DEVICE_SHARES[d]),
        )} as device_index,
        ${categoricalSql(
          u("h1", 2),
          REGIONS.map((r) => REGION_SHARES[r]),
        )} as region_index,
        case
            when ${u("h5", 0)} >= ${dbl(ANOMALIES.share)} then 0
            when ${u("h5", 1)} < ${dbl(ANOMALIES.botShare)} then 1
            else 2
        end as anomaly_kind

    from drawn

),

rhythm as (

    select
        *,
        case type_index ${sourceBranches.join(" ")} end as source_index,
        case anomaly_kind
            when 1 then 1.0::double
            when 2 then 0.5::double
            else greatest(0.02, least(0.98,
                ${byType("regularityMean")} + ${byType("regularitySd")} * ${normalSql(u("h2", 1), u("h2", 2))}
            ))
        end as regularity

    from typed

),

lifetime as (

    select
        *,
        ${byType("lifetimeMedianDays")}
            * exp(${byType("lifetimeSigma")} * ${normalSql(u("h3", 0), u("h3", 1))})
            * exp(${dbl(RHYTHM.lifetimeElasticity)} * (regularity - 0.5)) as lifetime_days,
        ${byType("sessionsPer30Days")} / 30.0
            * exp(${dbl(RHYTHM.sessionCountSigma)} * ${normalSql(u("h4", 0), u("h4", 1))}
                - ${dbl(RHYTHM.sessionCountSigma ** 2 / 2)}) as sessions_per_day

    from rhythm

),

spans as (

    -- Each user's visits are laid over their own lifetime, never over what the world observes:
    -- a user does not know when the data ends. Rows after the world's end are dropped later.
    select
        *,
        case anomaly_kind
            when 1 then ${ANOMALIES.botActiveDaysMin} + floor(${u("h5", 2)} * ${ANOMALIES.botActiveDaysMax - ANOMALIES.botActiveDaysMin + 1})
            when 2 then ${ANOMALIES.testActiveDays}
            else lifetime_days
        end::double as span_days,
        case when anomaly_kind = 0 then ${byType("fade")} else 1.0 end as fade

    from lifetime

),

counted as (

    select
        *,
        case anomaly_kind
            when 1 then ${ANOMALIES.botSessionsMin} + floor(${u("h4", 2)} * ${ANOMALIES.botSessionsMax - ANOMALIES.botSessionsMin + 1})
            when 2 then ${ANOMALIES.testSessionsMin - 1} + floor(${u("h4", 2)} * ${ANOMALIES.testSessionsMax - ANOMALIES.testSessionsMin + 1})
            -- Visits after signup over the whole lifetime, whether or not the world sees them.
            else floor(sessions_per_day * lifetime_days + ${u("h3", 2)})
        end::integer as n_after

    from spans

),

final as (

    select
        user_index,
        ${userIdSql("user_index")} as user_id,
        signup_day,
        type_index,
        device_index,
        region_index,
        source_index,
        anomaly_kind,
        regularity,
        span_days,
        fade,
        n_after,
        ${dbl(RHYTHM.gapSigmaBursty)}
            + (${dbl(RHYTHM.gapSigmaRegular)} - ${dbl(RHYTHM.gapSigmaBursty)}) * regularity as gap_sigma,
        case anomaly_kind
            when 1 then 0.0
            when 2 then 1.0
            else ${byType("purchaseProbability")} * exp(${dbl(RHYTHM.purchaseElasticity)} * (regularity - 0.5))
        end as purchase_base,
        ${byType("earlyBoost")} as early_boost,
        ${byType("earlyDecayDays")} as early_decay_days,
        ${byType("promoLift")} as promo_lift,
        case when anomaly_kind = 1 then ${dbl(ANOMALIES.botClickProbability)} else ${byType("clickProbability")} end as p_click,
        case when anomaly_kind = 1 then 0.0 else ${byType("cartProbability")} end as p_cart,
        ${byType("checkoutProbability")} as p_checkout

    from counted

)

select * from final
-- Signup order, which is also day order: the lake writer relies on it.
order by user_index`;
}

/** Rows of `gen.users` from the batch, for signups inside the date range. */
export function usersInsertSql(world: World): string {
  const { rangeStartDay, rangeEndDay } = world.options;
  return `insert into gen.users
select
    user_id,
    ${dateSql("signup_day")} as signup_date,
    ${stringList(USER_TYPES)}[type_index + 1] as user_type,
    ${stringList(DEVICES)}[device_index + 1] as device,
    ${stringList(REGIONS)}[region_index + 1] as region,
    ${stringList(MARKETING_SOURCES)}[source_index + 1] as marketing_source,
    anomaly_kind > 0 as anomaly_flag

from gen_batch_users
where signup_day between ${rangeStartDay} and ${rangeEndDay}`;
}
