-- Grain: one row per RFM snapshot date (on or before @run_date) x segment; all nine segments
-- appear on every date, with zero users where none. Users, their share of scored buyers,
-- revenue (monetary) and its share, average monetary, recency and frequency per segment.
with

rfm as (

    select * from snapshots.rfm_daily
    where snapshot_date <= @run_date

),

segment_map as (

    select * from snapshots.rfm_segment_map

),

segments as (

    select distinct segment from segment_map

),

snapshot_dates as (

    select distinct snapshot_date from rfm

),

segment_totals as (

    select
        snapshot_date,
        segment,
        count(*) as users,
        sum(monetary) as revenue,
        avg(monetary) as avg_monetary,
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency

    from rfm
    group by snapshot_date, segment

),

final as (

    select
        snapshot_dates.snapshot_date,
        segments.segment,
        coalesce(segment_totals.users, 0) as users,
        safe_divide(
            coalesce(segment_totals.users, 0),
            sum(segment_totals.users) over (partition by snapshot_dates.snapshot_date)
        ) as user_share,
        round(coalesce(segment_totals.revenue, 0), 2) as revenue,
        safe_divide(
            coalesce(segment_totals.revenue, 0),
            sum(segment_totals.revenue) over (partition by snapshot_dates.snapshot_date)
        ) as revenue_share,
        round(segment_totals.avg_monetary, 2) as avg_monetary,
        segment_totals.avg_recency_days,
        segment_totals.avg_frequency

    from snapshot_dates
    cross join segments
    left join segment_totals
        on snapshot_dates.snapshot_date = segment_totals.snapshot_date
        and segments.segment = segment_totals.segment

)

select * from final
