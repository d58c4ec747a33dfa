/**
 * Sessions: when each user visits, on which device, what they look at, how deep into the funnel
 * they go and whether they buy. All of it is decided per session from (seed, user, session
 * number); the batch table keeps the hidden draws (depth, step offsets, product) that the events
 * and orders stages expand. Depth 0 is a visit that left without a product page; the step
 * offsets count from the session start and come after its product pages, whose number and times
 * (`browsing.ts`) the events recompute from the same hashes rather than store.
 */
import { DEVICES, duckdbCastColumns, RAW_TABLES, USER_TYPES } from "../contract";
import {
  browseHashColumnsSql,
  leavesWithoutProductSql,
  pageHashSql,
  productViewsSql,
  viewOffsetSql,
  viewPaceSql,
  viewRatioSql,
} from "./browsing";
import { DEMAND_BUCKETS } from "./catalog";
import {
  DEVICE_SWITCH_PROBABILITY,
  HOUR_WEIGHTS,
  MAX_PURCHASE_PROBABILITY,
  PROMOS,
  STEP_DELAY_SECONDS,
} from "./params";
import { hashSql, normalSql, SALT, uniformSql as u } from "./random";
import {
  dbl,
  monthSql,
  productIdSql,
  promoIndexSql,
  promoLists,
  stringList,
  timestampSql,
  userIdSql,
  type World,
} from "./world";

const HOUR_BUCKETS = 256;

/** 256 hour-of-day entries in proportion to `HOUR_WEIGHTS`: one uniform picks an hour. */
export function hourLookup(): number[] {
  const total = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);
  const lookup: number[] = [];
  let cumulative = 0;
  HOUR_WEIGHTS.forEach((weight, hour) => {
    cumulative += weight;
    const next =
      hour === HOUR_WEIGHTS.length - 1
        ? HOUR_BUCKETS
        : Math.round((HOUR_BUCKETS * cumulative) / total);
    while (lookup.length < next) lookup.push(hour);
  });
  return lookup;
}

/** SQL for a step delay in seconds from 16 bits of a hash column. */
function delaySql(hash: string, slot: number, range: { min: number; max: number }): string {
  return `(${range.min} + (((${hash} >> ${slot * 16}) & 65535) * ${range.max - range.min + 1} // 65536)::integer)`;
}

/**
 * The table of every generated session with its hidden draws, batch after batch. It is not a temp
 * table: `gen.sessions` and `gen.events` are views over it, which the lake writer reads on several
 * connections.
 */
export const SESSION_DRAWS = "gen.session_draws";

/**
 * Adds the batch's sessions with their hidden draws to `SESSION_DRAWS` (`first`: creates it),
 * in day order within the batch.
 */
export function sessionDrawsSql(world: World, first: boolean): string {
  const { seed } = world.options;
  const promo = promoLists(world);
  const hourBucket = `(${u("h1", 2)} * ${HOUR_BUCKETS})`;
  const d = STEP_DELAY_SECONDS;
  return `${first ? `create table ${SESSION_DRAWS} as` : `insert into ${SESSION_DRAWS}`}
-- Grain: one row per session of the batch's users (session_number 1 is the signup visit).
with

slots as (

    -- Narrow on purpose: the window below sorts every column it carries.
    select
        user_index,
        gap_sigma,
        unnest(range(n_after + 1)) as seq

    from gen_batch_users

),

gapped as (

    select
        user_index,
        seq,
        h1,
        -- The gap before visit k: log-normal with mean 1 and the user's rhythm as its sigma.
        case when seq = 0 then 0.0 else exp(gap_sigma * ${normalSql(u("h1", 0), u("h1", 1))}
            - gap_sigma * gap_sigma / 2) end as gap

    from (select *, ${hashSql(seed, SALT.session, "user_index", "seq")} as h1 from slots)

),

positioned as (

    -- The running gap needs one ordered window. The user's total is the largest running gap
    -- (gaps are never negative): a max is exact in any order, where a second whole-partition
    -- sum frame cost six times the running one.
    select
        user_index,
        seq,
        cumulative_gap,
        max(cumulative_gap) over (partition by user_index) + 1.0 as total_gap

    from (
        select
            user_index,
            seq,
            sum(gap) over (partition by user_index order by seq rows unbounded preceding)
                as cumulative_gap

        from gapped
    )

),

placed as (

    select
        positioned.seq,
        users.*,
        ${hashSql(seed, SALT.session, "positioned.user_index", "positioned.seq")} as h1,
        -- Cumulative gaps as a share of the whole (one mean gap to spare after the last visit)
        -- fill the user's own lifetime, bent by the fading exponent (visits thin out over time).
        users.span_days * pow(positioned.cumulative_gap / positioned.total_gap, users.fade) as t_days

    from positioned
    inner join gen_batch_users as users using (user_index)

),

dated as materialized (

    select
        *,
        signup_day + floor(t_days)::integer as session_day,
        case
            when anomaly_kind = 1 then floor(${u("h1", 2)} * 24)::integer
            else [${hourLookup().join(", ")}][floor(${hourBucket})::integer + 1]
        end as hour,
        floor((${hourBucket} - floor(${hourBucket})) * 3600)::integer as second_of_hour

    from placed
    -- Visits after the world's last day are not observed (yet): dropped, not squeezed in.
    where signup_day + floor(t_days)::integer <= ${world.options.endDay}

),

promoted as (

    -- The other draws only for visits that happen: most of the slots fall after the last day.
    select
        *,
        ${hashSql(seed, SALT.sessionFunnel, "user_index", "seq")} as h2,
        ${hashSql(seed, SALT.sessionTiming, "user_index", "seq")} as h3,
        ${hashSql(seed, SALT.sessionDelays, "user_index", "seq")} as h4,
        ${browseHashColumnsSql(seed)},
        ${promoIndexSql(world, "session_day")} as promo_index

    from dated

),

decided as (

    select
        *,
        least(${dbl(MAX_PURCHASE_PROBABILITY)},
            purchase_base
            * (1 + (early_boost - 1) * exp(-t_days / early_decay_days))
            * (1 + (promo_lift - 1) * ${promo.liftShare}[promo_index + 1]
                * case when session_day - signup_day < ${PROMOS.newUserDays}
                    then ${dbl(PROMOS.newUserExtraLift)} else 1.0 end)
        ) as purchase_probability

    from promoted

),

funnel as (

    select
        *,
        -- 0: left without opening a product page (no funnel event); a buyer always views.
        case
            when anomaly_kind = 2 or ${u("h2", 0)} < purchase_probability then 5
            when ${leavesWithoutProductSql()} then 0
            else 1
                + (${u("h2", 1)} < p_click)::integer
                + (${u("h2", 1)} < p_click and ${u("h2", 2)} < p_cart)::integer
                + (${u("h2", 1)} < p_click and ${u("h2", 2)} < p_cart and ${u("h3", 0)} < p_checkout)::integer
        end as depth,
        case
            when ${u("h3", 2)} < ${dbl(DEVICE_SWITCH_PROBABILITY)}
                then (device_index + 1 + floor(${u("h3", 2)} / ${dbl(DEVICE_SWITCH_PROBABILITY)} * 2)::integer) % 3
            else device_index
        end as session_device_index,
        ${monthSql(world, "session_day")} * ${DEMAND_BUCKETS}
            + floor(${u("h3", 1)} * ${DEMAND_BUCKETS})::integer as demand_key,
        ${delaySql("h4", 0, d.click)} as delay_click,
        ${delaySql("h4", 1, d.add_to_cart)} as delay_cart,
        ${delaySql("h4", 2, d.checkout)} as delay_checkout,
        ${delaySql("h4", 3, d.purchase)} as delay_purchase,
        ${viewRatioSql()} as view_ratio,
        ${viewPaceSql()} as view_pace

    from decided

),

browsed as (

    -- The click follows the last product page, so the steps after it start from there.
    select
        *,
        ${viewOffsetSql("(product_views - 1)", "view_pace", pageHashSql(seed, "product_views - 1"))}
            as last_view_offset

    from (select *, ${productViewsSql("view_ratio")} as product_views from funnel)

),

sorted as (

    -- Numbers only: the sort carries every column, and strings cost it the most.
    select
        browsed.user_index,
        browsed.seq,
        browsed.session_day,
        browsed.session_day::bigint * 86400 + browsed.hour * 3600 + browsed.second_of_hour as start_sec,
        browsed.type_index,
        browsed.session_device_index as device_index,
        browsed.promo_index,
        browsed.depth,
        browsed.anomaly_kind,
        -- Test accounts always buy the first product: one of their tell-tale signs.
        case when browsed.anomaly_kind = 2 then 0 else demand.product_index end as product_index,
        browsed.last_view_offset + browsed.delay_click as offset_click,
        browsed.last_view_offset + browsed.delay_click + browsed.delay_cart as offset_cart,
        browsed.last_view_offset + browsed.delay_click + browsed.delay_cart
            + browsed.delay_checkout as offset_checkout,
        browsed.last_view_offset + browsed.delay_click + browsed.delay_cart
            + browsed.delay_checkout + browsed.delay_purchase as offset_purchase

    from browsed
    inner join gen_product_demand as demand using (demand_key)
    -- Day order: the events, orders and lake files that follow from it keep it without a sort.
    order by session_day, user_index, seq

),

final as (

    -- The strings after the sort (a projection keeps the order).
    select
        user_index,
        ${userIdSql("user_index")} as user_id,
        seq,
        -- Shared by the ids of the session, its events and its order: S<key>, E<key>-<step>, O<key>.
        printf('%07d-%04d', user_index + 1, seq + 1) as session_key,
        session_day,
        start_sec,
        type_index,
        device_index,
        promo_index,
        depth,
        anomaly_kind,
        product_index,
        ${productIdSql(world, "product_index")} as product_id,
        offset_click,
        offset_cart,
        offset_checkout,
        offset_purchase

    from sorted

)

select * from final`;
}

/**
 * The batch's sessions as the temp view `gen_batch_sessions`, which the sessions, orders and
 * subscriptions stages read: the draws of users [from, to).
 */
export function batchSessionsViewSql(from: number, to: number): string {
  return `create or replace temp view gen_batch_sessions as
select * from ${SESSION_DRAWS} where user_index >= ${from} and user_index < ${to}`;
}

/**
 * The sessions on days [firstDay, lastDay] (day numbers) inside the date range, in the draws'
 * (day) order. A view, like the events: storing them only to read them once into the lake cost
 * more (lake write of the sessions 0.45-0.53 s from the view, against 0.47-0.52 s from a table
 * plus 0.07-0.17 s to fill it). The day filter is on the draws' own column, so a lake share
 * skips the row groups of other days.
 */
export function sessionsSql(world: World, firstDay: number, lastDay: number): string {
  const { rangeStartDay, rangeEndDay } = world.options;
  const promo = promoLists(world);
  return `-- Grain: one row per session.
with

final as (

    select
        'S' || session_key as session_id,
        user_id,
        ${timestampSql("start_sec")} as session_start_ts,
        ${stringList(USER_TYPES)}[type_index + 1] as user_type,
        ${stringList(DEVICES)}[device_index + 1] as device,
        promo_index > 0 as is_promo,
        ${promo.discount}[promo_index + 1] as discount_rate,
        ${promo.id}[promo_index + 1] as promo_id

    from ${SESSION_DRAWS}
    where session_day between ${Math.max(firstDay, rangeStartDay)} and ${Math.min(lastDay, rangeEndDay)}

)

-- The contract's column types, as a table of the contract would hold them.
select ${duckdbCastColumns(RAW_TABLES.sessions)} from final`;
}
