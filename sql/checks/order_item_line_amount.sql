-- Asserts: every order line has quantity >= 1 and line_amount = final_unit_price * quantity,
-- within half a cent (amounts are FLOAT64 rounded to cents).
-- Grain: one row per offending order line, with the expected amount.
with

order_items as (

    select order_item_id, order_id, quantity, final_unit_price, line_amount
    from raw.order_items

),

final as (

    select
        order_item_id,
        order_id,
        quantity,
        final_unit_price,
        line_amount,
        final_unit_price * quantity as expected_line_amount

    from order_items
    where quantity is null
        or quantity < 1
        or not abs(line_amount - final_unit_price * quantity) <= 0.005

)

select * from final
