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

/** Offset column of each funnel step in the sessions batch table (step 1 is the session start). */
const STEP_OFFSETS = ["0", "offset_click", "offset_cart", "offset_checkout", "offset_purchase"];

/**
 * Rows of `gen.events` from the batch, for event days inside the date range. Each session
 * expands into its steps with `unnest`, which keeps the batch's order (session day, user,
 * session) and puts the steps of a session in order after it: the table comes out in day order,
 * so the lake writer streams it into day files without sorting 1.8M rows again.
 */
export function eventsInsertSql(world: World): string {
  const { rangeStartDay, rangeEndDay } = world.options;
  const promo = promoLists(world);
  return `insert into gen.events
-- Grain: one row per funnel step reached in a session.
with

steps as (

    select
        session_key,
        user_id,
        device_index,
        product_id,
        start_sec,
        [${STEP_OFFSETS.join(", ")}] as offsets,
        unnest(range(depth)) as step_index

    from gen_batch_sessions

),

kept as (

    select
        session_key,
        user_id,
        device_index,
        product_id,
        step_index,
        start_sec + offsets[step_index + 1] as event_sec,
        ${promoIndexSql(world, "(start_sec + offsets[step_index + 1]) // 86400")} as promo_index

    from steps
    where start_sec + offsets[step_index + 1] < ${worldEndSecond(world)}
        and (start_sec + offsets[step_index + 1]) // 86400 between ${rangeStartDay} and ${rangeEndDay}

),

final as (

    select
        concat('E', session_key, '-', step_index + 1) as event_id,
        user_id,
        ${timestampSql("event_sec")} as event_ts,
        ${stringList(FUNNEL_STEPS)}[step_index + 1] as event_type,
        'S' || session_key as session_id,
        ${stringList(DEVICES)}[device_index + 1] as device,
        case when step_index = ${FUNNEL_STEPS.length - 1} then 'O' || session_key end as order_id,
        product_id,
        promo_index > 0 as is_promo,
        ${promo.discount}[promo_index + 1] as discount_rate,
        ${promo.id}[promo_index + 1] as promo_id

    from kept

)

select * from final`;
}
