-- Grain: one row per user who signed up on or before @run_date (anomaly-flagged users excluded).
-- First purchase and days to it, short/long conversion (first purchase on days 0..13 / 0..29),
-- orders, revenue, 180-day LTV (revenue of days 0..179; null until signup_date + 180 days <=
-- @run_date), 90/180-day retention (a session on days N..N + 29; null until day N + 29 is
-- observed), AOV, whether the signup day fell in a promotion, subscription, and a CLTV tier:
-- 'Zero' for no spend in the 180 days, else High / Mid / Low at P66 / P33 of 180-day LTV among
-- the users who spent (linear interpolation; a value equal to a threshold takes the upper tier).
-- Thresholds and windows are the mart parameters (@conversion_days_short, ...).
with

users as (

    select * from raw.users
    where not anomaly_flag
        and signup_date <= @run_date

),

orders as (

    select * from raw.orders
    where order_ts < timestamp(date_add(@run_date, interval 1 day))

),

order_items as (

    select * from raw.order_items
    where order_date <= @run_date

),

sessions as (

    select * from raw.sessions
    where session_start_ts < timestamp(date_add(@run_date, interval 1 day))

),

products as (

    select * from raw.products

),

subscriptions as (

    select * from raw.subscriptions

),

promo_calendar as (

    select * from raw.promo_calendar

),

order_revenue as (

    select
        order_id,
        sum(line_amount) as revenue

    from order_items
    group by order_id

),

user_orders as (

    select
        orders.user_id,
        min(orders.order_ts) as first_purchase_at,
        count(*) as order_count,
        sum(coalesce(order_revenue.revenue, 0)) as revenue,
        sum(
            if(
                date_diff(date(orders.order_ts), users.signup_date, day) < @ltv_days,
                coalesce(order_revenue.revenue, 0),
                0
            )
        ) as revenue_first_180d

    from orders
    inner join users on orders.user_id = users.user_id
    left join order_revenue on orders.order_id = order_revenue.order_id
    group by orders.user_id

),

-- The first order is the earliest order_ts; orders at the same instant by the lowest order_id.
ranked_orders as (

    select
        user_id,
        order_id,
        is_promo,
        discount_rate,
        row_number() over (partition by user_id order by order_ts, order_id) as order_number

    from orders

),

first_orders as (

    select * from ranked_orders
    where order_number = 1

),

-- The gateway category: the category of the first order's largest line (by line_amount); equal
-- lines are broken by the lowest product_id.
ranked_first_order_lines as (

    select
        first_orders.user_id,
        products.category,
        row_number() over (
            partition by first_orders.user_id
            order by order_items.line_amount desc, order_items.product_id
        ) as line_rank

    from first_orders
    inner join order_items on first_orders.order_id = order_items.order_id
    inner join products on order_items.product_id = products.product_id

),

user_retention as (

    select
        users.user_id,
        logical_or(
            date_diff(date(sessions.session_start_ts), users.signup_date, day)
                between @retention_start_day_early
                and @retention_start_day_early + @retention_window_days - 1
        ) as has_session_early_window,
        logical_or(
            date_diff(date(sessions.session_start_ts), users.signup_date, day)
                between @retention_start_day_late
                and @retention_start_day_late + @retention_window_days - 1
        ) as has_session_late_window

    from users
    inner join sessions on users.user_id = sessions.user_id
    group by users.user_id

),

-- A promo signup: the signup date falls within a promotion (the deepest discount when several).
signup_promos as (

    select
        users.user_id,
        max(promo_calendar.discount_rate) as signup_promo_discount_rate

    from users
    inner join promo_calendar
        on users.signup_date between promo_calendar.start_date and promo_calendar.end_date
    group by users.user_id

),

user_facts as (

    select
        users.user_id,
        users.signup_date,
        users.user_type,
        users.device,
        users.region,
        users.marketing_source,
        signup_promos.user_id is not null as is_promo_signup,
        signup_promos.signup_promo_discount_rate,
        date_diff(@run_date, users.signup_date, day) + 1 as days_observed,
        user_orders.first_purchase_at,
        date(user_orders.first_purchase_at) as first_purchase_date,
        date_diff(date(user_orders.first_purchase_at), users.signup_date, day)
            as days_to_first_purchase,
        coalesce(user_orders.order_count, 0) as orders,
        round(coalesce(user_orders.revenue, 0), 2) as revenue,
        if(
            date_diff(@run_date, users.signup_date, day) >= @ltv_days,
            round(coalesce(user_orders.revenue_first_180d, 0), 2),
            null
        ) as ltv_180d,
        if(
            date_diff(@run_date, users.signup_date, day)
                >= @retention_start_day_early + @retention_window_days - 1,
            coalesce(user_retention.has_session_early_window, false),
            null
        ) as is_retained_90d,
        if(
            date_diff(@run_date, users.signup_date, day)
                >= @retention_start_day_late + @retention_window_days - 1,
            coalesce(user_retention.has_session_late_window, false),
            null
        ) as is_retained_180d,
        first_orders.is_promo as first_order_is_promo,
        first_orders.discount_rate as first_order_discount_rate,
        ranked_first_order_lines.category as first_purchase_category,
        subscriptions.plan as subscription_plan,
        subscriptions.status as subscription_status,
        subscriptions.monthly_fee as subscription_monthly_fee

    from users
    left join user_orders on users.user_id = user_orders.user_id
    left join first_orders on users.user_id = first_orders.user_id
    left join ranked_first_order_lines
        on users.user_id = ranked_first_order_lines.user_id
        and ranked_first_order_lines.line_rank = 1
    left join user_retention on users.user_id = user_retention.user_id
    left join signup_promos on users.user_id = signup_promos.user_id
    left join subscriptions on users.user_id = subscriptions.user_id

),

-- Among the users who spent in their 180 days (n of them), ltv >= P(p), the percentile with
-- linear interpolation at position p/100 * (n - 1) of the sorted values, holds exactly when
-- (the number of spenders with ltv <= this one) - 1 >= p/100 * (n - 1). rank_desc - 1 counts the
-- spenders above, so the test is integer arithmetic: no float percentile is compared, and both
-- engines put a user on a threshold in the same tier.
spender_ranks as (

    select
        user_id,
        count(*) over () as spenders,
        rank() over (order by ltv_180d desc) as rank_desc

    from user_facts
    where ltv_180d > 0

),

final as (

    select
        user_facts.user_id,
        user_facts.signup_date,
        user_facts.user_type,
        user_facts.device,
        user_facts.region,
        user_facts.marketing_source,
        user_facts.is_promo_signup,
        user_facts.signup_promo_discount_rate,
        user_facts.days_observed,
        user_facts.first_purchase_at,
        user_facts.first_purchase_date,
        user_facts.days_to_first_purchase,
        coalesce(user_facts.days_to_first_purchase < @conversion_days_short, false)
            as is_converted_14d,
        coalesce(user_facts.days_to_first_purchase < @conversion_days_long, false)
            as is_converted_30d,
        user_facts.orders,
        user_facts.revenue,
        user_facts.ltv_180d,
        user_facts.ltv_180d > 0 as is_buyer_180d,
        round(safe_divide(user_facts.revenue, user_facts.orders), 2) as aov,
        user_facts.is_retained_90d,
        user_facts.is_retained_180d,
        user_facts.first_order_is_promo,
        user_facts.first_order_discount_rate,
        user_facts.first_purchase_category,
        user_facts.subscription_plan,
        user_facts.subscription_status,
        user_facts.subscription_monthly_fee,
        coalesce(
            user_facts.subscription_plan != 'Free' and user_facts.subscription_status = 'Active',
            false
        ) as is_paid_subscriber,
        case
            when user_facts.ltv_180d is null then null
            when user_facts.ltv_180d = 0 then 'Zero'
            when
                100 * (spender_ranks.spenders - spender_ranks.rank_desc)
                >= @cltv_high_min_percentile * (spender_ranks.spenders - 1)
                then 'High'
            when
                100 * (spender_ranks.spenders - spender_ranks.rank_desc)
                >= @cltv_mid_min_percentile * (spender_ranks.spenders - 1)
                then 'Mid'
            else 'Low'
        end as cltv_tier

    from user_facts
    left join spender_ranks on user_facts.user_id = spender_ranks.user_id

)

select * from final
