-- Asserts: within a session the funnel runs view -> click -> add_to_cart -> checkout -> purchase:
-- a step occurs only if the step before it occurred at an earlier or equal time, and no event
-- has a type outside the five steps.
-- Grain: one row per session and offending event_type, with the step's first time and the first
-- time of the step before it (null when that step is missing or the type is unknown).
with

events as (

    select session_id, event_type, event_ts
    from raw.events
    where event_ts >= timestamp '1970-01-01 00:00:00+00'

),

step_times as (

    select
        session_id,
        min(if(event_type = 'view', event_ts, null)) as first_view_at,
        min(if(event_type = 'click', event_ts, null)) as first_click_at,
        min(if(event_type = 'add_to_cart', event_ts, null)) as first_add_to_cart_at,
        min(if(event_type = 'checkout', event_ts, null)) as first_checkout_at,
        min(if(event_type = 'purchase', event_ts, null)) as first_purchase_at

    from events
    group by session_id

),

out_of_order as (

    select
        session_id,
        'click' as event_type,
        first_click_at as step_at,
        first_view_at as previous_step_at

    from step_times
    where first_click_at is not null
        and (first_view_at is null or first_view_at > first_click_at)

    union all

    select
        session_id,
        'add_to_cart' as event_type,
        first_add_to_cart_at as step_at,
        first_click_at as previous_step_at

    from step_times
    where first_add_to_cart_at is not null
        and (first_click_at is null or first_click_at > first_add_to_cart_at)

    union all

    select
        session_id,
        'checkout' as event_type,
        first_checkout_at as step_at,
        first_add_to_cart_at as previous_step_at

    from step_times
    where first_checkout_at is not null
        and (first_add_to_cart_at is null or first_add_to_cart_at > first_checkout_at)

    union all

    select
        session_id,
        'purchase' as event_type,
        first_purchase_at as step_at,
        first_checkout_at as previous_step_at

    from step_times
    where first_purchase_at is not null
        and (first_checkout_at is null or first_checkout_at > first_purchase_at)

),

unknown_steps as (

    select
        session_id,
        coalesce(event_type, '(null)') as event_type,
        min(event_ts) as step_at,
        cast(null as timestamp) as previous_step_at

    from events
    where event_type is null
        or event_type not in ('view', 'click', 'add_to_cart', 'checkout', 'purchase')
    group by session_id, event_type

),

final as (

    select * from out_of_order
    union all
    select * from unknown_steps

)

select * from final
