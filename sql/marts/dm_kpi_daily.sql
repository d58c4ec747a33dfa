-- Grain: one row per day; this query produces the row for @run_date (the partition it replaces).
-- Active = at least one session that day; WAU / MAU count users active in the trailing 7 / 30
-- days ending on @run_date. Stickiness = DAU / MAU. Revenue is sum(line_amount) of the day's
-- orders; conversion is orders per session. Anomaly-flagged users are excluded throughout.
with

users as (

    select * from raw.users
    where not anomaly_flag

),

sessions as (

    select * from raw.sessions
    where session_start_ts >= timestamp(date_sub(@run_date, interval 29 day))
        and session_start_ts < timestamp(date_add(@run_date, interval 1 day))

),

orders as (

    select * from raw.orders
    where order_ts >= timestamp(@run_date)
        and order_ts < timestamp(date_add(@run_date, interval 1 day))

),

order_items as (

    select * from raw.order_items
    where order_date = @run_date

),

trailing_sessions as (

    select
        sessions.user_id,
        date(sessions.session_start_ts) as session_date

    from sessions
    inner join users on sessions.user_id = users.user_id

),

activity as (

    select
        count(distinct if(session_date = @run_date, user_id, null)) as dau,
        count(
            distinct if(session_date >= date_sub(@run_date, interval 6 day), user_id, null)
        ) as wau,
        count(distinct user_id) as mau,
        countif(session_date = @run_date) as sessions

    from trailing_sessions

),

day_orders as (

    select
        count(distinct orders.order_id) as orders,
        count(distinct orders.user_id) as buyers

    from orders
    inner join users on orders.user_id = users.user_id

),

day_revenue as (

    select
        coalesce(sum(order_items.line_amount), 0) as revenue

    from order_items
    inner join users on order_items.user_id = users.user_id

),

new_users as (

    select
        count(*) as new_users

    from users
    where signup_date = @run_date

),

final as (

    select
        @run_date as kpi_date,
        activity.dau,
        activity.wau,
        activity.mau,
        safe_divide(activity.dau, activity.mau) as stickiness,
        activity.sessions,
        day_orders.orders,
        day_orders.buyers,
        round(day_revenue.revenue, 2) as revenue,
        round(safe_divide(day_revenue.revenue, day_orders.orders), 2) as aov,
        new_users.new_users,
        safe_divide(day_orders.orders, activity.sessions) as conversion_rate

    from activity
    cross join day_orders
    cross join day_revenue
    cross join new_users

)

select * from final
