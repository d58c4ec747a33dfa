-- Asserts: events.order_id is set on every purchase event and on no other event.
-- Grain: one row per offending event, with its type and order_id.
with

events as (

    select event_id, session_id, event_type, order_id
    from raw.events
    where event_ts >= timestamp '1970-01-01 00:00:00+00'

),

final as (

    select
        event_id,
        session_id,
        event_type,
        order_id,
        if(order_id is null, 'purchase without order_id', 'order_id on a non-purchase event')
            as problem

    from events
    where (event_type = 'purchase' and order_id is null)
        or (event_type != 'purchase' and order_id is not null)

)

select * from final
