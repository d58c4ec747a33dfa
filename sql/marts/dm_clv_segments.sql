-- Grain: one row per snapshot date with both an RFM snapshot and a CLV fit (on or before
-- @run_date) x RFM segment; all nine segments appear on every such date, with zero buyers where
-- none. Predicted value beside the RFM segments: the buyers' revenue to date (RFM monetary),
-- their mean BG/NBD P(alive) (over all buyers, and over repeat buyers, for whom it says
-- something: a one-time buyer's is 1 by the model's construction), their expected purchase days
-- in the next 180 days, and their predicted 180- and 365-day revenue (snapshots.clv_daily;
-- null when the spend model could not be fitted that date), in total, per buyer and as a share
-- of the date's predicted revenue.
with

rfm as (

    select * from snapshots.rfm_daily
    where snapshot_date <= @run_date

),

clv as (

    select * from snapshots.clv_daily
    where snapshot_date <= @run_date

),

segment_map as (

    select * from snapshots.rfm_segment_map

),

segments as (

    select distinct segment from segment_map

),

snapshot_dates as (

    select distinct rfm.snapshot_date
    from rfm
    inner join (select distinct snapshot_date from clv) as fitted
        on rfm.snapshot_date = fitted.snapshot_date

),

buyers as (

    select
        rfm.snapshot_date,
        rfm.segment,
        rfm.monetary,
        clv.frequency,
        clv.p_alive,
        clv.expected_transactions_180d,
        clv.predicted_clv_180d,
        clv.predicted_clv_365d

    from rfm
    inner join clv
        on rfm.snapshot_date = clv.snapshot_date
        and rfm.user_id = clv.user_id

),

segment_totals as (

    select
        snapshot_date,
        segment,
        count(*) as buyers,
        countif(frequency > 0) as repeat_buyers,
        sum(monetary) as revenue_to_date,
        avg(p_alive) as mean_p_alive,
        avg(if(frequency > 0, p_alive, null)) as mean_p_alive_repeat_buyers,
        avg(expected_transactions_180d) as mean_expected_transactions_180d,
        sum(predicted_clv_180d) as predicted_clv_180d,
        sum(predicted_clv_365d) as predicted_clv_365d

    from buyers
    group by snapshot_date, segment

),

final as (

    select
        snapshot_dates.snapshot_date,
        segments.segment,
        coalesce(segment_totals.buyers, 0) as buyers,
        coalesce(segment_totals.repeat_buyers, 0) as repeat_buyers,
        coalesce(segment_totals.revenue_to_date, 0) as revenue_to_date,
        segment_totals.mean_p_alive,
        segment_totals.mean_p_alive_repeat_buyers,
        segment_totals.mean_expected_transactions_180d,
        segment_totals.predicted_clv_180d,
        safe_divide(segment_totals.predicted_clv_180d, segment_totals.buyers)
            as predicted_clv_180d_per_buyer,
        safe_divide(
            segment_totals.predicted_clv_180d,
            sum(segment_totals.predicted_clv_180d)
                over (partition by snapshot_dates.snapshot_date)
        ) as predicted_clv_180d_share,
        segment_totals.predicted_clv_365d,
        safe_divide(segment_totals.predicted_clv_365d, segment_totals.buyers)
            as predicted_clv_365d_per_buyer

    from snapshot_dates
    cross join segments
    left join segment_totals
        on snapshot_dates.snapshot_date = segment_totals.snapshot_date
        and segments.segment = segment_totals.segment

)

select * from final
