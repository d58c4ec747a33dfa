-- Asserts: every order has at least one line, and every line agrees with its order: same user,
-- and order_date is the UTC date of order_ts.
-- Grain: one row per offending order line, or per order without lines (order_item_id null).
-- Lines whose order does not exist are reported by the foreign-key checks, not here.
with

orders as (

    select order_id, user_id, order_ts
    from raw.orders

),

order_items as (

    select order_item_id, order_id, user_id, order_date
    from raw.order_items

),

mismatched_lines as (

    select
        order_items.order_id,
        order_items.order_item_id,
        order_items.user_id,
        orders.user_id as order_user_id,
        order_items.order_date,
        date(orders.order_ts) as order_ts_date,
        if(
            order_items.user_id != orders.user_id,
            'user differs from the order',
            'order_date is not the date of order_ts'
        ) as problem

    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    where order_items.user_id != orders.user_id
        or order_items.order_date != date(orders.order_ts)

),

orders_without_lines as (

    select
        orders.order_id,
        cast(null as string) as order_item_id,
        cast(null as string) as user_id,
        orders.user_id as order_user_id,
        cast(null as date) as order_date,
        date(orders.order_ts) as order_ts_date,
        'order without lines' as problem

    from orders
    left join order_items
        on orders.order_id = order_items.order_id
    where order_items.order_id is null

),

final as (

    select * from mismatched_lines
    union all
    select * from orders_without_lines

)

select * from final
