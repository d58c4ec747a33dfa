/**
 * Events: each session expands into its product pages (one `view` each) and then the funnel steps
 * it reached after the last page (click, add to cart, checkout, purchase), in order and strictly
 * later in time. A session that left without a product page has no event; the steps after the
 * views are a prefix of the funnel, and only the purchase step carries the order id, so the funnel
 * rules hold by construction.
 */
import { DEVICES, duckdbCastColumns, FUNNEL_STEPS, RAW_TABLES } from "../contract";
import {
  browseHashColumnsSql,
  comparisonProductSql,
  MAX_SESSION_SECONDS,
  pageHashSql,
  productViewsSql,
  viewOffsetSql,
  viewPaceSql,
  viewRatioSql,
} from "./browsing";
import { SESSION_DRAWS } from "./sessionsStage";
import {
  productIdSql,
  promoIndexSql,
  promoLists,
  stringList,
  timestampSql,
  type World,
} from "./world";

/** Exclusive upper bound of the world's timestamps, in epoch seconds (end of the last day). */
export function worldEndSecond(world: World): number {
  return (world.options.endDay + 1) * 86_400;
}

/** Offset column of each funnel step after the views in the session draws. */
const STEP_OFFSETS = ["offset_click", "offset_cart", "offset_checkout", "offset_purchase"];

/**
 * Whole days an event can fall after its session's day: a session's last event comes at most its
 * product pages and the sum of the step delays after its start.
 */
export const EVENT_DAYS_AFTER_SESSION = Math.ceil(MAX_SESSION_SECONDS / 86_400);

/**
 * The events on days [firstDay, lastDay] (day numbers) that are inside the date range, in the
 * draws' order. Each session expands into its events with `unnest`, which keeps that order
 * (session day, user, session) and puts a session's events in order after it: the rows come out
 * in the order of their sessions' days, which is day order but for the events a late session has
 * past midnight, so the lake writer streams them into day files without sorting 1.8M rows.
 *
 * Event ids are `E` + the session key + the event's position in the session (01, 02, ...): its
 * product pages first, then the steps after them. Events are a view, not a table: storing 1.8M
 * rows only to read them once into the lake cost more than expanding the sessions again
 * (expanding inside the lake write: 1.07-1.38 s against 1.67-1.71 s for storing then writing). A
 * day's events come from sessions starting that day or `EVENT_DAYS_AFTER_SESSION` days before,
 * so each lake share reads only its own sessions.
 */
export function eventsSql(world: World, firstDay: number, lastDay: number): string {
  const { rangeStartDay, rangeEndDay, seed } = world.options;
  const first = Math.max(firstDay, rangeStartDay);
  const last = Math.min(lastDay, rangeEndDay);
  const promo = promoLists(world);
  return `-- Grain: one row per product page viewed or funnel step reached in a session.
with

sessions as (

    select
        *,
        ${browseHashColumnsSql(seed)}

    from ${SESSION_DRAWS}
    where session_day between ${first - EVENT_DAYS_AFTER_SESSION} and ${last}
        and depth > 0

),

browsed as (

    select
        *,
        ${productViewsSql(viewRatioSql())} as product_views,
        ${viewPaceSql()} as view_pace

    from sessions

),

positions as (

    -- Positions 0..product_views - 1 are the product pages; the funnel steps after the view
    -- (click = step 1 .. purchase = step 4) follow at product_views + step - 1.
    select
        session_key,
        user_id,
        user_index,
        seq,
        product_index,
        device_index,
        start_sec,
        product_views,
        view_pace,
        [${STEP_OFFSETS.join(", ")}] as offsets,
        unnest(range(product_views + depth - 1)) as position

    from browsed

),

paged as (

    select
        *,
        greatest(position - product_views + 1, 0) as step_index,
        case when position < product_views then ${pageHashSql(seed, "position")} end as h_page

    from positions

),

timed as (

    select
        session_key,
        user_id,
        device_index,
        position,
        step_index,
        case
            when position < product_views - 1 then ${comparisonProductSql(world, "h_page")}
            else product_index
        end as product_index,
        start_sec + case
            when step_index = 0 then ${viewOffsetSql("position", "view_pace", "h_page")}
            else offsets[step_index]
        end as event_sec

    from paged

),

kept as (

    select
        *,
        ${promoIndexSql(world, "event_sec // 86400")} as promo_index

    from timed
    where event_sec < ${worldEndSecond(world)}
        and event_sec // 86400 between ${first} and ${last}

),

final as (

    select
        -- printf('E%s-%02d', session_key, position + 1), spelled out: printf's %s took 0.12 s
        -- of the 1.9M events, the concatenation 0.05 s, for the same text (position is never negative).
        'E' || session_key || case when position < 9 then '-0' else '-' end || cast(position + 1 as varchar)
            as event_id,
        user_id,
        ${timestampSql("event_sec")} as event_ts,
        ${stringList(FUNNEL_STEPS)}[step_index + 1] as event_type,
        'S' || session_key as session_id,
        ${stringList(DEVICES)}[device_index + 1] as device,
        case when step_index = ${FUNNEL_STEPS.length - 1} then 'O' || session_key end as order_id,
        ${productIdSql(world, "product_index")} as product_id,
        promo_index > 0 as is_promo,
        ${promo.discount}[promo_index + 1] as discount_rate,
        ${promo.id}[promo_index + 1] as promo_id

    from kept

)

-- The contract's column types, as a table of the contract would hold them.
select ${duckdbCastColumns(RAW_TABLES.events)} from final`;
}
