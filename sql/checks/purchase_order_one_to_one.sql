-- Asserts: purchase events and orders match one to one: every order has exactly one purchase
-- event carrying its order_id, every such purchase event has its order, and both name the same
-- user at the same timestamp.
-- Grain: one row per order_id with a problem, showing both sides (null where a side is missing).
with

purchases as (

    select order_id, user_id, event_ts
    from raw.events
    where event_ts >= timestamp '1970-01-01 00:00:00+00'
        and event_type = 'purchase'
        and order_id is not null

),

orders as (

    select order_id, user_id, order_ts
    from raw.orders

),

purchases_per_order as (

    select
        order_id,
        count(*) as purchase_events,
        count(distinct user_id) as purchase_users,
        count(distinct event_ts) as purchase_times,
        min(user_id) as purchase_user_id,
        min(event_ts) as purchase_at

    from purchases
    group by order_id

),

matched as (

    select
        coalesce(orders.order_id, purchases_per_order.order_id) as order_id,
        orders.user_id as order_user_id,
        purchases_per_order.purchase_user_id,
        orders.order_ts,
        purchases_per_order.purchase_at,
        coalesce(purchases_per_order.purchase_events, 0) as purchase_events,
        case
            when orders.order_id is null then 'purchase event without an order'
            when purchases_per_order.order_id is null then 'order without a purchase event'
            when purchases_per_order.purchase_events > 1 then 'several purchase events'
            when purchases_per_order.purchase_users > 1
                or purchases_per_order.purchase_user_id != orders.user_id
                then 'user differs'
            when purchases_per_order.purchase_times > 1
                or purchases_per_order.purchase_at != orders.order_ts
                then 'timestamp differs'
        end as problem

    from orders
    full outer join purchases_per_order
        on orders.order_id = purchases_per_order.order_id

),

final as (

    select * from matched
    where problem is not null

)

select * from final
