-- Grain: one row per segment (all nine, zero users where none) in the snapshot of @snapshot_date.
with

segments as (

    select distinct segment from snapshots.rfm_segment_map

),

snapshot_users as (

    select * from snapshots.rfm_daily
    where snapshot_date = @snapshot_date

),

final as (

    select
        segments.segment,
        count(snapshot_users.user_id) as users

    from segments
    left join snapshot_users on segments.segment = snapshot_users.segment
    group by segments.segment

)

select * from final
