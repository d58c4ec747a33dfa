-- Grain: one row per user who signed up on or before @run_date (anomaly-flagged users excluded).
-- First purchase and days to it, 14/30-day conversion (days 0..13 / 0..29), orders, revenue,
-- 180-day LTV (null until signup_date + 180 days <= @run_date), 90/180-day retention (null until
-- day N + 29 is observed), AOV, subscription, and a CLTV tier at P33/P66 of 180-day LTV.
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
                date_diff(date(orders.order_ts), users.signup_date, day) < 180,
                coalesce(order_revenue.revenue, 0),
                0
            )
        ) as revenue_first_180d

    from orders
    inner join users on orders.user_id = users.user_id
    left join order_revenue on orders.order_id = order_revenue.order_id
    group by orders.user_id

),

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
            date_diff(date(sessions.session_start_ts), users.signup_date, day) between 90 and 119
        ) as has_session_day_90_119,
        logical_or(
            date_diff(date(sessions.session_start_ts), users.signup_date, day) between 180 and 209
        ) as has_session_day_180_209

    from users
    inner join sessions on users.user_id = sessions.user_id
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
        date_diff(@run_date, users.signup_date, day) + 1 as days_observed,
        user_orders.first_purchase_at,
        date(user_orders.first_purchase_at) as first_purchase_date,
        date_diff(date(user_orders.first_purchase_at), users.signup_date, day)
            as days_to_first_purchase,
        coalesce(user_orders.order_count, 0) as orders,
        round(coalesce(user_orders.revenue, 0), 2) as revenue,
        if(
            date_diff(@run_date, users.signup_date, day) >= 180,
            round(coalesce(user_orders.revenue_first_180d, 0), 2),
            null
        ) as ltv_180d,
        if(
            date_diff(@run_date, users.signup_date, day) >= 119,
            coalesce(user_retention.has_session_day_90_119, false),
            null
        ) as is_retained_90d,
        if(
            date_diff(@run_date, users.signup_date, day) >= 209,
            coalesce(user_retention.has_session_day_180_209, false),
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
    left join subscriptions on users.user_id = subscriptions.user_id

),

ltv_thresholds as (

    select
        user_id,
        percentile_cont(ltv_180d, 0.33) over () as ltv_p33,
        percentile_cont(ltv_180d, 0.66) over () as ltv_p66

    from user_facts

),

final as (

    select
        user_facts.user_id,
        user_facts.signup_date,
        user_facts.user_type,
        user_facts.device,
        user_facts.region,
        user_facts.marketing_source,
        user_facts.days_observed,
        user_facts.first_purchase_at,
        user_facts.first_purchase_date,
        user_facts.days_to_first_purchase,
        coalesce(user_facts.days_to_first_purchase < 14, false) as is_converted_14d,
        coalesce(user_facts.days_to_first_purchase < 30, false) as is_converted_30d,
        user_facts.orders,
        user_facts.revenue,
        user_facts.ltv_180d,
        round(safe_divide(user_facts.revenue, user_facts.orders), 2) as aov,
        user_facts.is_retained_90d,
        user_facts.is_retained_180d,
        user_facts.first_order_is_promo,
        user_facts.first_order_discount_rate,
        user_facts.first_purchase_category,
        user_facts.subscription_plan,
        user_facts.subscription_status,
        user_facts.subscription_monthly_fee,
        coalesce(user_facts.subscription_plan != 'Free', false) as is_paid_subscriber,
        case
            when user_facts.ltv_180d is null then null
            when user_facts.ltv_180d >= ltv_thresholds.ltv_p66 then 'High'
            when user_facts.ltv_180d >= ltv_thresholds.ltv_p33 then 'Mid'
            else 'Low'
        end as cltv_tier

    from user_facts
    inner join ltv_thresholds on user_facts.user_id = ltv_thresholds.user_id

)

select * from final
