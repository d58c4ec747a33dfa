-- Asserts: every event agrees with its session: same user, same device (events carry the
-- session's device), and no event before the session started.
-- Grain: one row per offending event, with the session's values beside the event's.
-- Events whose session does not exist are reported by the foreign-key checks, not here.
with

events as (

    select event_id, session_id, user_id, device, event_ts
    from raw.events
    where event_ts >= timestamp '1970-01-01 00:00:00+00'

),

sessions as (

    select session_id, user_id, device, session_start_ts
    from raw.sessions
    where session_start_ts >= timestamp '1970-01-01 00:00:00+00'

),

checked as (

    select
        events.event_id,
        events.session_id,
        events.user_id,
        sessions.user_id as session_user_id,
        events.device,
        sessions.device as session_device,
        events.event_ts,
        sessions.session_start_ts,
        case
            when events.user_id != sessions.user_id then 'user differs from the session'
            when events.device != sessions.device then 'device differs from the session'
            when events.event_ts < sessions.session_start_ts then 'event before the session start'
        end as problem

    from events
    inner join sessions
        on events.session_id = sessions.session_id

),

final as (

    select * from checked
    where problem is not null

)

select * from final
