-- Grain: one row per product category x calendar month (orders on or before @run_date, anomaly-
-- flagged users excluded). Revenue, orders, units, revenue per order (AOV within the category),
-- month-over-month revenue growth (null when the previous month had no sales in the category),
-- a seasonality index (the month's revenue over the category's mean monthly revenue, so 1.0 is an
-- average month) and the share of revenue sold on promotion.
with

users as (

    select * from raw.users
    where not anomaly_flag

),

order_items as (

    select * from raw.order_items
    where order_date <= @run_date

),

products as (

    select * from raw.products

),

category_lines as (

    select
        products.category,
        date_trunc(order_items.order_date, month) as order_month,
        order_items.order_id,
        order_items.quantity,
        order_items.line_amount,
        order_items.is_promo

    from order_items
    inner join users on order_items.user_id = users.user_id
    inner join products on order_items.product_id = products.product_id

),

category_months as (

    select
        category,
        order_month,
        sum(line_amount) as revenue,
        count(distinct order_id) as orders,
        sum(quantity) as units,
        sum(if(is_promo, line_amount, 0)) as promo_revenue

    from category_lines
    group by category, order_month

),

with_previous as (

    select
        *,
        lag(order_month) over (partition by category order by order_month) as previous_month,
        lag(revenue) over (partition by category order by order_month) as previous_revenue,
        avg(revenue) over (partition by category) as mean_monthly_revenue

    from category_months

),

final as (

    select
        category,
        order_month,
        order_month = date_trunc(@run_date, month) as is_partial_month,
        round(revenue, 2) as revenue,
        orders,
        units,
        round(safe_divide(revenue, orders), 2) as aov,
        if(
            previous_month = date_sub(order_month, interval 1 month),
            safe_divide(revenue - previous_revenue, previous_revenue),
            null
        ) as revenue_growth_mom,
        safe_divide(revenue, mean_monthly_revenue) as seasonality_index,
        safe_divide(promo_revenue, revenue) as promo_revenue_share

    from with_previous

)

select * from final
