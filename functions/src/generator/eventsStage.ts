/**
 * Events: each session expands into its funnel steps, 1..depth, in order and strictly later in
 * time. A step exists only if the one before it does (depth is a prefix), and only the purchase
 * step carries the order id, so the funnel rules hold by construction.
 */
import { DEVICES, FUNNEL_STEPS } from "../contract";
import { promoIndexSql, promoLists, str, stringList, timestampSql, type World } from "./world";

/** Exclusive upper bound of the world's timestamps, in epoch seconds (end of the last day). */
export function worldEndSecond(world: World): number {
  return (world.options.endDay + 1) * 86_400;
}

/** Offset column of each funnel step in the sessions batch table (step 1 is the session start). */
const STEP_OFFSETS = ["0", "offset_click", "offset_cart", "offset_checkout", "offset_purchase"];

/**
 * Rows of `gen.events` from the batch, for event days inside the date range. One branch per
 * funnel step, each a plain filtered scan of the sessions (`depth >= step`), is cheaper than
 * expanding every session with unnest and picking the step's columns per row.
 */
export function eventsInsertSql(world: World): string {
  const { rangeStartDay, rangeEndDay } = world.options;
  const promo = promoLists(world);
  const branches = FUNNEL_STEPS.map(
    (step, index) => `    select
        ${str(`-${index + 1}`)} as step_suffix,
        ${str(step)} as event_type,
        session_key,
        user_id,
        start_sec + ${STEP_OFFSETS[index]} as event_sec,
        device_index,
        product_id

    from gen_batch_sessions
    where depth >= ${index + 1}`,
  );
  return `insert into gen.events
-- Grain: one row per funnel step reached in a session.
with

steps as (

${branches.join("\n\n    union all\n\n")}

),

kept as (

    select
        *,
        ${promoIndexSql(world, "event_sec // 86400")} as promo_index

    from steps
    where event_sec < ${worldEndSecond(world)}
        and event_sec // 86400 between ${rangeStartDay} and ${rangeEndDay}

),

final as (

    select
        concat('E', session_key, step_suffix) as event_id,
        user_id,
        ${timestampSql("event_sec")} as event_ts,
        event_type,
        'S' || session_key as session_id,
        ${stringList(DEVICES)}[device_index + 1] as device,
        case when event_type = 'purchase' then 'O' || session_key end as order_id,
        product_id,
        promo_index > 0 as is_promo,
        ${promo.discount}[promo_index + 1] as discount_rate,
        ${promo.id}[promo_index + 1] as promo_id

    from kept

)

select * from final`;
}
