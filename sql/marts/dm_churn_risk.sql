-- Grain: one row per buyer (a user with at least one order on or before @run_date; anomaly-
-- flagged users excluded). Silence = days since the last purchase as of @run_date. The risk group
-- comes from the recency thresholds in `thresholds` (edit them there); churned = silent longer
-- than the churn threshold. Purchase cycle = mean days between a buyer's orders (2+ orders).
-- The reactivation list: buyers not yet churned whose silence exceeds the upper quartile (P75)
-- of the purchase cycles in their purchase-count tier ('2', '3-4', '5+'); one-order buyers have
-- no cycle and are never on it.
with

thresholds as (

    select
        60 as active_max_days,
        120 as cooling_max_days,
        180 as churn_after_days

),

users as (

    select * from raw.users
    where not anomaly_flag
        and signup_date <= @run_date

),

orders as (

    select * from raw.orders
    where order_ts < timestamp(date_add(@run_date, interval 1 day))

),

sessions as (

    select * from raw.sessions
    where session_start_ts < timestamp(date_add(@run_date, interval 1 day))

),

buyer_orders as (

    select
        orders.user_id,
        count(*) as order_count,
        min(date(orders.order_ts)) as first_purchase_date,
        max(date(orders.order_ts)) as last_purchase_date

    from orders
    inner join users on orders.user_id = users.user_id
    group by orders.user_id

),

last_sessions as (

    select
        user_id,
        max(date(session_start_ts)) as last_session_date

    from sessions
    group by user_id

),

buyers as (

    select
        buyer_orders.*,
        date_diff(@run_date, buyer_orders.last_purchase_date, day) as days_since_last_purchase,
        if(
            buyer_orders.order_count >= 2,
            date_diff(buyer_orders.last_purchase_date, buyer_orders.first_purchase_date, day)
                / (buyer_orders.order_count - 1),
            null
        ) as purchase_cycle_days,
        case
            when buyer_orders.order_count = 1 then '1'
            when buyer_orders.order_count = 2 then '2'
            when buyer_orders.order_count <= 4 then '3-4'
            else '5+'
        end as purchase_count_tier

    from buyer_orders

),

tier_cycles as (

    select
        user_id,
        percentile_cont(purchase_cycle_days, 0.75) over (partition by purchase_count_tier)
            as tier_cycle_p75_days

    from buyers

),

final as (

    select
        buyers.user_id,
        users.user_type,
        users.marketing_source,
        buyers.order_count as orders,
        buyers.purchase_count_tier,
        buyers.first_purchase_date,
        buyers.last_purchase_date,
        last_sessions.last_session_date,
        buyers.days_since_last_purchase,
        date_diff(@run_date, last_sessions.last_session_date, day) as days_since_last_session,
        buyers.purchase_cycle_days,
        tier_cycles.tier_cycle_p75_days,
        case
            when buyers.days_since_last_purchase <= thresholds.active_max_days then 'Active'
            when buyers.days_since_last_purchase <= thresholds.cooling_max_days then 'Cooling'
            when buyers.days_since_last_purchase <= thresholds.churn_after_days then 'At risk'
            else 'Churned'
        end as risk_group,
        buyers.days_since_last_purchase > thresholds.churn_after_days as is_churned,
        coalesce(
            buyers.days_since_last_purchase <= thresholds.churn_after_days
            and buyers.days_since_last_purchase > tier_cycles.tier_cycle_p75_days,
            false
        ) as is_reactivation_target

    from buyers
    inner join users on buyers.user_id = users.user_id
    inner join tier_cycles on buyers.user_id = tier_cycles.user_id
    left join last_sessions on buyers.user_id = last_sessions.user_id
    cross join thresholds

)

select * from final
