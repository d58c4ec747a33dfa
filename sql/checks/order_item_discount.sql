-- Asserts: the discount arithmetic of every order line: 0 <= discount_rate < 1, unit_price is the
-- product's list price, and final_unit_price = round(unit_price * (1 - discount_rate), 2), that
-- is, a whole number of cents within half a cent of the exact discounted price (either rounding
-- of an exact tie is accepted, as float ties may fall either way).
-- Grain: one row per offending order line, with the list price and the exact discounted price.
with

order_items as (

    select order_item_id, product_id, unit_price, discount_rate, final_unit_price
    from raw.order_items

),

products as (

    select product_id, price
    from raw.products

),

checked as (

    select
        order_items.order_item_id,
        order_items.product_id,
        order_items.unit_price,
        products.price as list_price,
        order_items.discount_rate,
        order_items.final_unit_price,
        order_items.unit_price * (1 - order_items.discount_rate) as exact_final_unit_price,
        case
            when not (order_items.discount_rate >= 0 and order_items.discount_rate < 1)
                then 'discount_rate outside [0, 1)'
            when not abs(order_items.unit_price - products.price) < 0.000001
                then 'unit_price differs from the list price'
            when not abs(
                    order_items.final_unit_price
                    - order_items.unit_price * (1 - order_items.discount_rate)
                ) <= 0.005 + 0.000001
                then 'final_unit_price is not the discounted price'
            when not abs(
                    order_items.final_unit_price * 100 - round(order_items.final_unit_price * 100)
                ) < 0.0001
                then 'final_unit_price is not a whole number of cents'
        end as problem

    from order_items
    inner join products
        on order_items.product_id = products.product_id

),

final as (

    select * from checked
    where problem is not null

)

select * from final
