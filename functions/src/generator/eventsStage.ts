/**
 * Events: each session expands into its funnel steps, 1..depth, in order and strictly later in
 * time. A step exists only if the one before it does (depth is a prefix), and only the purchase
 * step carries the order id, so the funnel rules hold by construction.
 */
import { DEVICES, duckdbCastColumns, FUNNEL_STEPS, RAW_TABLES } from "../contract";
import { STEP_DELAY_SECONDS } from "./params";
import { SESSION_DRAWS } from "./sessionsStage";
import { promoIndexSql, promoLists, stringList, timestampSql, type World } from "./world";

/** Exclusive upper bound of the world's timestamps, in epoch seconds (end of the last day). */
export function worldEndSecond(world: World): number {
  return (world.options.endDay + 1) * 86_400;
}

/** Offset column of each funnel step in the session draws (step 1 is the session start). */
const STEP_OFFSETS = ["0", "offset_click", "offset_cart", "offset_checkout", "offset_purchase"];

/**
 * Whole days an event can fall after its session's day: a session's last step comes at most the
 * sum of the step delays after its start.
 */
export const EVENT_DAYS_AFTER_SESSION = Math.ceil(
  Object.values(STEP_DELAY_SECONDS).reduce((sum, delay) => sum + delay.max, 0) / 86_400,
);

/**
 * The events on days [firstDay, lastDay] (day numbers) that are inside the date range, in the
 * draws' order. Each session expands into its steps with \`unnest\`, which keeps that order (session
 * day, user, session) and puts the steps of a session in order after it: the rows come out in the
 * order of their sessions' days, which is day order but for the steps a late session takes past
 * midnight, so the lake writer streams them into day files without sorting 1.8M rows.
 *
 * Events are a view, not a table: storing 1.8M rows only to read them once into the lake cost more
 * than expanding the sessions again (expanding inside the lake write: 1.07-1.38 s against
 * 1.67-1.71 s for storing then writing). A day's events come from sessions starting that day or
 * \`EVENT_DAYS_AFTER_SESSION\` days before, so each lake share reads only its own sessions.
 */
export function eventsSql(world: World, firstDay: number, lastDay: number): string {
  const { rangeStartDay, rangeEndDay } = world.options;
  const first = Math.max(firstDay, rangeStartDay);
  const last = Math.min(lastDay, rangeEndDay);
  const promo = promoLists(world);
  return `-- Grain: one row per funnel step reached in a session.
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

    from ${SESSION_DRAWS}
    where session_day between ${first - EVENT_DAYS_AFTER_SESSION} and ${last}

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
        and (start_sec + offsets[step_index + 1]) // 86400 between ${first} and ${last}

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

-- The contract's column types, as a table of the contract would hold them.
select ${duckdbCastColumns(RAW_TABLES.events)} from final`;
}
