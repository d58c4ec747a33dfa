-- Grain: one row per product category x calendar month with sales (orders on or before
-- @run_date, anomaly-flagged users excluded). Revenue, orders, units, revenue per order (AOV
-- within the category: the revenue in cents over orders, so a half-cent AOV rounds the same way
-- whatever order the lines were summed in) and the share of revenue sold on promotion.
-- A month is partial only when @run_date falls before its last day (the month is still running).
-- Growth compares complete months: month over month and year over year (the same month a year
-- earlier), null for the partial month and when the compared month had no sales in the category.
-- The seasonality index separates season from trend: the category's share of the shop's revenue
-- in the month over its share of the shop's revenue in the complete months of the same calendar
-- year. The shop's growth, within a year and from one year to the next, moves every category
-- alike and cancels out; 1.6 reads "takes 60% more of the shop's revenue this month than over
-- its year". Null for the partial month.
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
        extract(year from order_month) as order_year,
        order_month = date_trunc(@run_date, month)
            and date_trunc(date_add(@run_date, interval 1 day), month)
            = date_trunc(@run_date, month) as is_partial_month,
        sum(line_amount) as revenue,
        count(distinct order_id) as orders,
        sum(quantity) as units,
        sum(if(is_promo, line_amount, 0)) as promo_revenue

    from category_lines
    group by category, order_month

),

shop_months as (

    select
        order_month,
        sum(revenue) as shop_revenue

    from category_months
    group by order_month

),

shop_years as (

    select
        order_year,
        sum(revenue) as shop_revenue

    from category_months
    where not is_partial_month
    group by order_year

),

category_years as (

    select
        category,
        order_year,
        sum(revenue) as revenue

    from category_months
    where not is_partial_month
    group by category, order_year

),

final as (

    select
        category_months.category,
        category_months.order_month,
        category_months.is_partial_month,
        round(category_months.revenue, 2) as revenue,
        category_months.orders,
        category_months.units,
        round(safe_divide(round(category_months.revenue, 2), category_months.orders), 2) as aov,
        if(
            category_months.is_partial_month,
            null,
            safe_divide(
                category_months.revenue - previous_month.revenue, previous_month.revenue
            )
        ) as revenue_growth_mom,
        if(
            category_months.is_partial_month,
            null,
            safe_divide(category_months.revenue - year_ago.revenue, year_ago.revenue)
        ) as revenue_growth_yoy,
        if(
            category_months.is_partial_month,
            null,
            safe_divide(
                category_months.revenue * shop_years.shop_revenue,
                shop_months.shop_revenue * category_years.revenue
            )
        ) as seasonality_index,
        safe_divide(category_months.promo_revenue, category_months.revenue)
            as promo_revenue_share

    from category_months
    left join category_months as previous_month
        on category_months.category = previous_month.category
        and previous_month.order_month = date_sub(category_months.order_month, interval 1 month)
    left join category_months as year_ago
        on category_months.category = year_ago.category
        and year_ago.order_month = date_sub(category_months.order_month, interval 12 month)
    left join shop_months on category_months.order_month = shop_months.order_month
    left join shop_years on category_months.order_year = shop_years.order_year
    left join category_years
        on category_months.category = category_years.category
        and category_months.order_year = category_years.order_year

)

select * from final
