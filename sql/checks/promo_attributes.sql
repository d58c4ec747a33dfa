-- Asserts: promo attributes on sessions, events, orders and order_items agree with
-- promo_calendar: is_promo is true exactly when the row's UTC date falls within a promotion
-- (start_date..end_date inclusive), discount_rate and promo_id then come from that promotion,
-- and they are 0 and null otherwise. order_items has no promo_id and is dated by order_date.
-- Grain: one row per offending row of any of the four tables (table_name, row_id), with its
-- UTC day and attributes and the expected ones. Overlapping promotions are reported by
-- promo_calendar_valid.
--
-- Days are compared as UTC day numbers (days since 1970-01-01): div(unix_micros(ts), 86400000000)
-- is the same day as date(ts) for any timestamp after 1970 and costs a fraction of a date cast
-- over millions of events; promotion days are expanded to one row each for an equality join.
with

promos as (

    select promo_id, start_date, end_date, discount_rate
    from raw.promo_calendar

),

promo_days as (

    select
        promos.promo_id,
        promos.discount_rate,
        promo_day

    from promos
    cross join unnest(generate_array(unix_date(promos.start_date), unix_date(promos.end_date)))
        as promo_day

),

sessions as (

    select
        'sessions' as table_name,
        session_id as row_id,
        session_start_ts as activity_at,
        div(unix_micros(session_start_ts), 86400000000) as activity_day,
        is_promo,
        discount_rate,
        promo_id,
        true as has_promo_id

    from raw.sessions
    where session_start_ts >= timestamp '1970-01-01 00:00:00+00'

),

events as (

    select
        'events' as table_name,
        event_id as row_id,
        event_ts as activity_at,
        div(unix_micros(event_ts), 86400000000) as activity_day,
        is_promo,
        discount_rate,
        promo_id,
        true as has_promo_id

    from raw.events
    where event_ts >= timestamp '1970-01-01 00:00:00+00'

),

orders as (

    select
        'orders' as table_name,
        order_id as row_id,
        order_ts as activity_at,
        div(unix_micros(order_ts), 86400000000) as activity_day,
        is_promo,
        discount_rate,
        promo_id,
        true as has_promo_id

    from raw.orders

),

order_items as (

    select
        'order_items' as table_name,
        order_item_id as row_id,
        timestamp(order_date) as activity_at,
        unix_date(order_date) as activity_day,
        is_promo,
        discount_rate,
        cast(null as string) as promo_id,
        false as has_promo_id

    from raw.order_items

),

promo_rows as (

    select * from sessions
    union all
    select * from events
    union all
    select * from orders
    union all
    select * from order_items

),

expected as (

    select
        promo_rows.*,
        promo_days.promo_id is not null as expected_is_promo,
        coalesce(promo_days.discount_rate, 0) as expected_discount_rate,
        promo_days.promo_id as expected_promo_id

    from promo_rows
    left join promo_days
        on promo_rows.activity_day = promo_days.promo_day

),

final as (

    select
        table_name,
        row_id,
        date(activity_at) as activity_date,
        is_promo,
        discount_rate,
        promo_id,
        expected_is_promo,
        expected_discount_rate,
        expected_promo_id

    from expected
    where is_promo is null
        or is_promo != expected_is_promo
        or discount_rate is null
        or not abs(discount_rate - expected_discount_rate) < 0.000001
        or (has_promo_id and promo_id is distinct from expected_promo_id)

)

select * from final
