-- Grain: one row per buyer (a user with at least one order on or before @run_date; anomaly-
-- flagged users excluded). Silence = days since the last purchase as of @run_date. The risk group
-- comes from the recency thresholds (the mart parameters @churn_active_max_days,
-- @churn_cooling_max_days, @churn_after_days); churned = silent longer than the churn threshold.
-- Purchase cycle = mean days between a buyer's orders (2+ orders): the span from the first to the
-- last purchase date over the number of gaps. The reactivation list: buyers not yet churned whose
-- silence exceeds the upper quartile (P75, linear interpolation) of the purchase cycles in their
-- purchase-count tier ('2', '3-4', '5+'); one-order buyers have no cycle and are never on it.
-- The quartile is compared exactly: each cycle is the fraction span / gaps, so the test
-- silence > P75 is cross-multiplied into integers rather than read off a rounded float.
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
        date_diff(buyer_orders.last_purchase_date, buyer_orders.first_purchase_date, day)
            as cycle_span_days,
        buyer_orders.order_count - 1 as cycle_gaps,
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

-- The tier's cycles in order, 0-based; equal cycles are equal fractions, so their order among
-- themselves changes nothing.
tier_cycle_ranks as (

    select
        purchase_count_tier,
        cycle_span_days,
        cycle_gaps,
        row_number() over (
            partition by purchase_count_tier order by purchase_cycle_days, user_id
        ) - 1 as cycle_index,
        count(*) over (partition by purchase_count_tier) as tier_buyers

    from buyers
    where order_count >= 2

),

-- P75 sits at position p/100 * (n - 1): between the cycles at lower_index and lower_index + 1,
-- position_remainder / 100 of the way.
tier_positions as (

    select distinct
        purchase_count_tier,
        div(@reactivation_cycle_percentile * (tier_buyers - 1), 100) as lower_index,
        mod(@reactivation_cycle_percentile * (tier_buyers - 1), 100) as position_remainder

    from tier_cycle_ranks

),

tier_cycles as (

    select
        tier_positions.purchase_count_tier,
        tier_positions.position_remainder,
        lower_cycle.cycle_span_days as lower_span_days,
        lower_cycle.cycle_gaps as lower_gaps,
        coalesce(upper_cycle.cycle_span_days, lower_cycle.cycle_span_days) as upper_span_days,
        coalesce(upper_cycle.cycle_gaps, lower_cycle.cycle_gaps) as upper_gaps

    from tier_positions
    inner join tier_cycle_ranks as lower_cycle
        on tier_positions.purchase_count_tier = lower_cycle.purchase_count_tier
        and tier_positions.lower_index = lower_cycle.cycle_index
    left join tier_cycle_ranks as upper_cycle
        on tier_positions.purchase_count_tier = upper_cycle.purchase_count_tier
        and tier_positions.lower_index + 1 = upper_cycle.cycle_index

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
        safe_divide(tier_cycles.lower_span_days, tier_cycles.lower_gaps)
        + (
            safe_divide(tier_cycles.upper_span_days, tier_cycles.upper_gaps)
            - safe_divide(tier_cycles.lower_span_days, tier_cycles.lower_gaps)
        )
        * tier_cycles.position_remainder
        / 100 as tier_cycle_p75_days,
        case
            when buyers.days_since_last_purchase <= @churn_active_max_days then 'Active'
            when buyers.days_since_last_purchase <= @churn_cooling_max_days then 'Cooling'
            when buyers.days_since_last_purchase <= @churn_after_days then 'At risk'
            else 'Churned'
        end as risk_group,
        buyers.days_since_last_purchase > @churn_after_days as is_churned,
        -- silence > a + (b - a) * r / 100 with a = ls / lg, b = us / ug, times 100 * lg * ug > 0
        coalesce(
            buyers.days_since_last_purchase <= @churn_after_days
            and 100
            * (
                buyers.days_since_last_purchase * tier_cycles.lower_gaps
                - tier_cycles.lower_span_days
            )
            * tier_cycles.upper_gaps
            > (
                tier_cycles.upper_span_days * tier_cycles.lower_gaps
                - tier_cycles.lower_span_days * tier_cycles.upper_gaps
            )
            * tier_cycles.position_remainder,
            false
        ) as is_reactivation_target

    from buyers
    inner join users on buyers.user_id = users.user_id
    left join tier_cycles on buyers.purchase_count_tier = tier_cycles.purchase_count_tier
    left join last_sessions on buyers.user_id = last_sessions.user_id

)

select * from final
