/**
 * Events: each session expands into its funnel steps, 1..depth, in order and strictly later in
 * time. A step exists only if the one before it does (depth is a prefix), and only the purchase
 * step carries the order id, so the funnel rules hold by construction.
 */
import { DEVICES, FUNNEL_STEPS } from "../contract";
import { promoIndexSql, promoLists, stringList, timestampSql, type World } from "./world";

/** Exclusive upper bound of the world's timestamps, in epoch seconds (end of the last day). */
export function worldEndSecond(world: World): number {
  return (world.options.endDay + 1) * 86_400;
}

/** Rows of `gen.events` from the batch, for event days inside the date range. */
export function eventsInsertSql(world: World): string {
  const { rangeStartDay, rangeEndDay } = world.options;
  const promo = promoLists(world);
  return `insert into gen.events
-- Grain: one row per funnel step reached in a session.
with

steps as (

    -- Only the columns used below: unnest copies every column it carries.
    select
        session_id,
        user_id,
        start_sec,
        device_index,
        product_id,
        offset_click,
        offset_cart,
        offset_checkout,
        offset_purchase,
        unnest(range(1, depth + 1)) as step

    from gen_batch_sessions

),

timed as (

    select
        session_id,
        user_id,
        device_index,
        product_id,
        step,
        start_sec + case step
            when 1 then 0
            when 2 then offset_click
            when 3 then offset_cart
            when 4 then offset_checkout
            else offset_purchase
        end as event_sec

    from steps

),

kept as (

    select
        *,
        ${promoIndexSql(world, "event_sec // 86400")} as event_promo_index

    from timed
    where event_sec < ${worldEndSecond(world)}
        and event_sec // 86400 between ${rangeStartDay} and ${rangeEndDay}

),

final as (

    select
        'E' || session_id[2:] || '-' || step::varchar as event_id,
        user_id,
        ${timestampSql("event_sec")} as event_ts,
        ${stringList(FUNNEL_STEPS)}[step] as event_type,
        session_id,
        ${stringList(DEVICES)}[device_index + 1] as device,
        case when step = ${FUNNEL_STEPS.length} then 'O' || session_id[2:] end as order_id,
        product_id,
        event_promo_index > 0 as is_promo,
        ${promo.discount}[event_promo_index + 1] as discount_rate,
        ${promo.id}[event_promo_index + 1] as promo_id

    from kept

)

select * from final`;
}
