-- Asserts: nothing a user does is dated before the user's signup_date (UTC): session starts,
-- events, orders, order lines (order_date) and subscription start dates.
-- Grain: one row per offending row (table_name, row_id), with its time and the signup date.
-- Rows whose user does not exist are reported by the foreign-key checks, not here.
--
-- Times are compared with midnight UTC of the signup date rather than by casting millions of
-- timestamps to dates; the two are equivalent.
with

users as (

    select user_id, signup_date, timestamp(signup_date) as signup_at
    from raw.users

),

sessions as (

    select
        'sessions' as table_name,
        session_id as row_id,
        user_id,
        session_start_ts as activity_at

    from raw.sessions
    where session_start_ts >= timestamp '1970-01-01 00:00:00+00'

),

events as (

    select
        'events' as table_name,
        event_id as row_id,
        user_id,
        event_ts as activity_at

    from raw.events
    where event_ts >= timestamp '1970-01-01 00:00:00+00'

),

orders as (

    select
        'orders' as table_name,
        order_id as row_id,
        user_id,
        order_ts as activity_at

    from raw.orders

),

order_items as (

    select
        'order_items' as table_name,
        order_item_id as row_id,
        user_id,
        timestamp(order_date) as activity_at

    from raw.order_items

),

subscriptions as (

    select
        'subscriptions' as table_name,
        subscription_id as row_id,
        user_id,
        timestamp(start_date) as activity_at

    from raw.subscriptions

),

dated_rows as (

    select * from sessions
    union all
    select * from events
    union all
    select * from orders
    union all
    select * from order_items
    union all
    select * from subscriptions

),

final as (

    select
        dated_rows.table_name,
        dated_rows.row_id,
        dated_rows.user_id,
        dated_rows.activity_at,
        users.signup_date

    from dated_rows
    inner join users
        on dated_rows.user_id = users.user_id
    where dated_rows.activity_at < users.signup_at

)

select * from final
