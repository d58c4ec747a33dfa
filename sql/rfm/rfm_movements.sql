-- Grain: one row per (from_segment, to_segment) pair of users whose segment changed between the
-- previous snapshot (the latest snapshot_date before @snapshot_date) and @snapshot_date.
-- from_segment is null for users new to the RFM snapshot (first purchase since, or no previous
-- snapshot at all).
with

current_snapshot as (

    select * from snapshots.rfm_daily
    where snapshot_date = @snapshot_date

),

previous_date as (

    select max(snapshot_date) as snapshot_date
    from snapshots.rfm_daily
    where snapshot_date < @snapshot_date

),

previous_snapshot as (

    select rfm_daily.*
    from snapshots.rfm_daily as rfm_daily
    inner join previous_date on rfm_daily.snapshot_date = previous_date.snapshot_date

),

final as (

    select
        previous_snapshot.segment as from_segment,
        current_snapshot.segment as to_segment,
        count(*) as users

    from current_snapshot
    left join previous_snapshot on current_snapshot.user_id = previous_snapshot.user_id
    where previous_snapshot.segment is null
        or previous_snapshot.segment != current_snapshot.segment
    group by from_segment, to_segment

)

select * from final
