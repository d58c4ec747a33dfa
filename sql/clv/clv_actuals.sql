-- Grain: one row per buyer as of @snapshot_date (anomaly-flagged users excluded, as in the CLV
-- step's history): what the buyer then did from the day after @snapshot_date through @run_date,
-- purchase days (the CLV models' transactions) and revenue, with the user type, so predictions
-- can be calibrated against outcomes.
with

users as (

    select * from raw.users
    where not anomaly_flag

),

orders as (

    select * from raw.orders
    where order_ts < timestamp(date_add(@run_date, interval 1 day))

),

order_items as (

    select * from raw.order_items
    where order_date <= @run_date

),

order_revenue as (

    select
        order_id,
        sum(line_amount) as revenue

    from order_items
    group by order_id

),

buyers as (

    select distinct orders.user_id
    from orders
    where date(orders.order_ts) <= @snapshot_date

),

later_orders as (

    select
        orders.user_id,
        date(orders.order_ts) as purchase_date,
        coalesce(order_revenue.revenue, 0) as revenue

    from orders
    left join order_revenue on orders.order_id = order_revenue.order_id
    where date(orders.order_ts) > @snapshot_date

),

final as (

    select
        buyers.user_id,
        users.user_type,
        count(distinct later_orders.purchase_date) as purchase_days,
        coalesce(sum(later_orders.revenue), 0) as revenue

    from buyers
    inner join users on buyers.user_id = users.user_id
    left join later_orders on buyers.user_id = later_orders.user_id
    group by buyers.user_id, users.user_type

)

select * from final
