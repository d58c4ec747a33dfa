-- Grain: one row per buyer per snapshot date (a buyer: a user with at least one order on or
-- before that date; anomaly-flagged users excluded); the snapshot_date partitions of
-- snapshots.rfm_daily. The snapshot dates are every month end from @from_date to @snapshot_date
-- and @snapshot_date itself: the nightly refresh passes one day as both, a bulk run or a backfill
-- a whole range in one query.
-- Recency = days since the last purchase; frequency = orders; monetary = revenue (sum of
-- line_amount, rounded to cents) of all orders up to the snapshot. Monetary thresholds are exact
-- percentiles among the date's buyers (percentile_cont, linear interpolation, as in both BigQuery
-- and DuckDB); a buyer scores the highest band whose threshold it reaches (>=), so tied amounts
-- always share a score. The segment comes from snapshots.rfm_segment_map.
with

snapshot_dates as (

    select snapshot_date
    from unnest(generate_date_array(@from_date, @snapshot_date)) as snapshot_date
    where snapshot_date = last_day(snapshot_date)
        or snapshot_date = @snapshot_date

),

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

    -- An order's lines all fall on its day (the check order_item_matches_order).
    select
        order_id,
        sum(line_amount) as revenue

    from order_items
    group by order_id

),

buyers as (

    -- Every order counts in each snapshot on or after its day.
    select
        snapshot_dates.snapshot_date,
        orders.user_id,
        max(date(orders.order_ts)) as last_purchase_date,
        count(*) as frequency,
        round(sum(coalesce(order_revenue.revenue, 0)), 2) as monetary

    from snapshot_dates
    inner join orders on date(orders.order_ts) <= snapshot_dates.snapshot_date
    inner join users
        on orders.user_id = users.user_id
        and users.signup_date <= snapshot_dates.snapshot_date
    left join order_revenue on orders.order_id = order_revenue.order_id
    group by snapshot_dates.snapshot_date, orders.user_id

),

thresholds as (

    select
        snapshot_date,
        user_id,
        percentile_cont(monetary, 0.25) over (partition by snapshot_date) as monetary_p25,
        percentile_cont(monetary, 0.5) over (partition by snapshot_date) as monetary_p50,
        percentile_cont(monetary, 0.75) over (partition by snapshot_date) as monetary_p75,
        percentile_cont(monetary, 0.95) over (partition by snapshot_date) as monetary_p95

    from buyers

),

scored as (

    select
        buyers.snapshot_date,
        buyers.user_id,
        buyers.last_purchase_date,
        date_diff(buyers.snapshot_date, buyers.last_purchase_date, day) as recency_days,
        buyers.frequency,
        buyers.monetary,
        case
            when date_diff(buyers.snapshot_date, buyers.last_purchase_date, day) <= 90 then 5
            when date_diff(buyers.snapshot_date, buyers.last_purchase_date, day) <= 180 then 4
            when date_diff(buyers.snapshot_date, buyers.last_purchase_date, day) <= 365 then 3
            when date_diff(buyers.snapshot_date, buyers.last_purchase_date, day) <= 545 then 2
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
    inner join thresholds
        on buyers.snapshot_date = thresholds.snapshot_date
        and buyers.user_id = thresholds.user_id

),

final as (

    select
        scored.snapshot_date,
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
