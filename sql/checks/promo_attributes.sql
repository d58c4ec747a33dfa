-- Asserts: promo attributes on sessions, events, orders and order_items agree with
-- promo_calendar: is_promo is true exactly when the row's UTC date falls within a promotion
-- (start_date..end_date inclusive), discount_rate and promo_id then come from that promotion,
-- and they are 0 and null otherwise. order_items has no promo_id and is dated by order_date.
-- Grain: one row per offending row of any of the four tables (table_name, row_id), with its
-- attributes and the expected ones. Overlapping promotions are reported by promo_calendar_valid.
with

promos as (

    select promo_id, start_date, end_date, discount_rate
    from raw.promo_calendar

),

sessions as (

    select
        'sessions' as table_name,
        session_id as row_id,
        date(session_start_ts) as activity_date,
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
        date(event_ts) as activity_date,
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
        date(order_ts) as activity_date,
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
        order_date as activity_date,
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
        promos.promo_id is not null as expected_is_promo,
        coalesce(promos.discount_rate, 0) as expected_discount_rate,
        promos.promo_id as expected_promo_id

    from promo_rows
    left join promos
        on promo_rows.activity_date between promos.start_date and promos.end_date

),

final as (

    select
        table_name,
        row_id,
        activity_date,
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
