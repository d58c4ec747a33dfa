-- Grain: one row per session started on or before @run_date (anomaly-flagged users excluded).
-- The funnel steps seen in the session (view, click, add_to_cart, checkout, purchase) as flags,
-- and the highest step reached (0 when the session has no funnel event).
with

users as (

    select * from raw.users
    where not anomaly_flag

),

sessions as (

    select * from raw.sessions
    where session_start_ts < timestamp(date_add(@run_date, interval 1 day))

),

events as (

    select * from raw.events
    where event_ts < timestamp(date_add(@run_date, interval 1 day))

),

session_steps as (

    select
        session_id,
        count(*) as events,
        logical_or(event_type = 'view') as has_view,
        logical_or(event_type = 'click') as has_click,
        logical_or(event_type = 'add_to_cart') as has_add_to_cart,
        logical_or(event_type = 'checkout') as has_checkout,
        logical_or(event_type = 'purchase') as has_purchase,
        max(
            case event_type
                when 'view' then 1
                when 'click' then 2
                when 'add_to_cart' then 3
                when 'checkout' then 4
                when 'purchase' then 5
            end
        ) as highest_step_number

    from events
    group by session_id

),

final as (

    select
        sessions.session_id,
        sessions.user_id,
        date(sessions.session_start_ts) as session_date,
        sessions.device,
        sessions.user_type,
        sessions.is_promo,
        coalesce(session_steps.events, 0) as events,
        coalesce(session_steps.has_view, false) as has_view,
        coalesce(session_steps.has_click, false) as has_click,
        coalesce(session_steps.has_add_to_cart, false) as has_add_to_cart,
        coalesce(session_steps.has_checkout, false) as has_checkout,
        coalesce(session_steps.has_purchase, false) as has_purchase,
        coalesce(session_steps.highest_step_number, 0) as highest_step_number,
        case coalesce(session_steps.highest_step_number, 0)
            when 1 then 'view'
            when 2 then 'click'
            when 3 then 'add_to_cart'
            when 4 then 'checkout'
            when 5 then 'purchase'
            else 'none'
        end as highest_step

    from sessions
    inner join users on sessions.user_id = users.user_id
    left join session_steps on sessions.session_id = session_steps.session_id

)

select * from final
