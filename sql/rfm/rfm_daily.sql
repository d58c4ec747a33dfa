-- Grain: one row per buyer as of @snapshot_date (a user with at least one order on or before it;
-- anomaly-flagged users excluded); the snapshot_date partition of snapshots.rfm_daily.
-- Recency = days since the last purchase; frequency = orders; monetary = revenue (sum of
-- line_amount, rounded to cents) of all orders up to the snapshot. Monetary thresholds are exact
-- percentiles among the day's buyers (percentile_cont, linear interpolation, as in both BigQuery
-- and DuckDB); a buyer scores the highest band whose threshold it reaches (>=), so tied amounts
-- always share a score. The segment comes from snapshots.rfm_segment_map.
with

users as (

    select * from raw.users
    where not anomaly_flag
        and signup_date <= @snapshot_date

),

orders as (

    select * from raw.orders
    where order_ts < timestamp(date_add(@snapshot_date, interval 1 day))

),

order_items as (

    select * from raw.order_items
    where order_date <= @snapshot_date

),

segment_map as (

    select * from snapshots.rfm_segment_map

),

order_revenue as (

    select
        order_id,
        sum(line_amount) as revenue

    from order_items
    group by order_id

),

buyers as (

    select
        orders.user_id,
        max(date(orders.order_ts)) as last_purchase_date,
        count(*) as frequency,
        round(sum(coalesce(order_revenue.revenue, 0)), 2) as monetary

    from orders
    inner join users on orders.user_id = users.user_id
    left join order_revenue on orders.order_id = order_revenue.order_id
    group by orders.user_id

),

thresholds as (

    select
        user_id,
        percentile_cont(monetary, 0.25) over () as monetary_p25,
        percentile_cont(monetary, 0.5) over () as monetary_p50,
        percentile_cont(monetary, 0.75) over () as monetary_p75,
        percentile_cont(monetary, 0.95) over () as monetary_p95

    from buyers

),

scored as (

    select
        buyers.user_id,
        buyers.last_purchase_date,
        date_diff(@snapshot_date, buyers.last_purchase_date, day) as recency_days,
        buyers.frequency,
        buyers.monetary,
        case
            when date_diff(@snapshot_date, buyers.last_purchase_date, day) <= 90 then 5
            when date_diff(@snapshot_date, buyers.last_purchase_date, day) <= 180 then 4
            when date_diff(@snapshot_date, buyers.last_purchase_date, day) <= 365 then 3
            when date_diff(@snapshot_date, buyers.last_purchase_date, day) <= 545 then 2
            else 1
        end as recency_score,
        case
            when buyers.frequency >= 3 then 5
            when buyers.frequency = 2 then 4
            else 3
        end as frequency_score,
        case
            when buyers.monetary >= thresholds.monetary_p95 then 5
            when buyers.monetary >= thresholds.monetary_p75 then 4
            when buyers.monetary >= thresholds.monetary_p50 then 3
            when buyers.monetary >= thresholds.monetary_p25 then 2
            else 1
        end as monetary_score

    from buyers
    inner join thresholds on buyers.user_id = thresholds.user_id

),

final as (

    select
        @snapshot_date as snapshot_date,
        scored.user_id,
        users.user_type,
        users.marketing_source,
        scored.last_purchase_date,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.recency_score,
        scored.frequency_score,
        scored.monetary_score,
        concat(
            cast(scored.recency_score as string),
            cast(scored.frequency_score as string),
            cast(scored.monetary_score as string)
        ) as rfm_code,
        segment_map.segment

    from scored
    inner join users on scored.user_id = users.user_id
    inner join segment_map
        on scored.recency_score = segment_map.recency_score
        and scored.frequency_score = segment_map.frequency_score
        and scored.monetary_score = segment_map.monetary_score

)

select * from final
