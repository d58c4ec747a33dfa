-- Grain: one row per buyer as of @snapshot_date (a user with at least one order on or before it;
-- anomaly-flagged users excluded): the purchase history the BG/NBD and Gamma-Gamma models read,
-- which the CLV step (functions/src/clv/refreshClv.ts) fits and predicts from. A transaction is
-- a purchase day, the day's orders summed (the papers' convention). Times are whole days:
-- frequency = purchase days after the first, recency_days = first to last purchase day,
-- age_days = first purchase day to the snapshot date; monetary = mean revenue of the repeat
-- purchase days (0 without one), revenue = all purchase days' revenue.
with

users as (

    select * from raw.users
    where not anomaly_flag

),

orders as (

    select * from raw.orders
    where order_ts < timestamp(date_add(@snapshot_date, interval 1 day))

),

order_items as (

    select * from raw.order_items
    where order_date <= @snapshot_date

),

order_revenue as (

    select
        order_id,
        sum(line_amount) as revenue

    from order_items
    group by order_id

),

purchase_days as (

    select
        orders.user_id,
        date(orders.order_ts) as purchase_date,
        sum(coalesce(order_revenue.revenue, 0)) as revenue

    from orders
    inner join users on orders.user_id = users.user_id
    left join order_revenue on orders.order_id = order_revenue.order_id
    group by orders.user_id, date(orders.order_ts)

),

first_purchases as (

    select
        user_id,
        min(purchase_date) as first_purchase_date

    from purchase_days
    group by user_id

),

final as (

    select
        purchase_days.user_id,
        first_purchases.first_purchase_date,
        count(*) - 1 as frequency,
        date_diff(max(purchase_days.purchase_date), first_purchases.first_purchase_date, day)
            as recency_days,
        date_diff(@snapshot_date, first_purchases.first_purchase_date, day) as age_days,
        coalesce(
            avg(
                if(
                    purchase_days.purchase_date > first_purchases.first_purchase_date,
                    purchase_days.revenue,
                    null
                )
            ),
            0
        ) as monetary,
        sum(purchase_days.revenue) as revenue

    from purchase_days
    inner join first_purchases on purchase_days.user_id = first_purchases.user_id
    group by purchase_days.user_id, first_purchases.first_purchase_date

)

select * from final
