-- Grain of snapshots.rfm_segment_history: one row per user x period in one segment.
-- valid_from = the snapshot date the segment was first seen; valid_to = the snapshot date it was
-- replaced (exclusive), null while current; is_current marks the open row (one per user at most).
-- Applies the snapshots.rfm_daily partition of @snapshot_date. Idempotent for the latest date:
-- the first two statements undo what an earlier run for the same date did (rows it opened, rows
-- it closed), so a re-run leaves the same rows. Snapshot dates must be applied in order; the
-- refresh job refuses a date older than the latest valid_from.
create table if not exists snapshots.rfm_segment_history (
    user_id string,
    segment string,
    valid_from date,
    valid_to date,
    is_current bool
);

delete from snapshots.rfm_segment_history
where valid_from = @snapshot_date;

update snapshots.rfm_segment_history
set valid_to = null, is_current = true
where valid_to = @snapshot_date;

update snapshots.rfm_segment_history as history
set valid_to = @snapshot_date, is_current = false
where history.is_current
    and not exists (
        select 1
        from snapshots.rfm_daily as daily
        where daily.snapshot_date = @snapshot_date
            and daily.user_id = history.user_id
            and daily.segment = history.segment
    );

insert into snapshots.rfm_segment_history (user_id, segment, valid_from, valid_to, is_current)
select
    daily.user_id,
    daily.segment,
    @snapshot_date,
    cast(null as date),
    true
from snapshots.rfm_daily as daily
where daily.snapshot_date = @snapshot_date
    and not exists (
        select 1
        from snapshots.rfm_segment_history as history
        where history.is_current
            and history.user_id = daily.user_id
    )
