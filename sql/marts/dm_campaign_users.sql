-- Grain: one row per reactivation campaign and targeted user (raw.campaign_exposures, campaigns
-- on or before @run_date; anomaly-flagged users excluded). Windows count days from the campaign
-- day (day 0): reactivated within N days = an order on days 0..N-1, null until day N-1 is
-- observed; active before the campaign at N days = a session in the N days before it, after it =
-- a session on days 0..N-1.
with

exposures as (

    select * from raw.campaign_exposures
    where campaign_date <= @run_date

),

users as (

    select user_id, user_type from raw.users
    where not anomaly_flag

),

orders as (

    select
        order_id,
        user_id,
        date(order_ts) as order_date

    from raw.orders
    where order_ts < timestamp(date_add(@run_date, interval 1 day))

),

order_items as (

    select order_id, product_id, line_amount from raw.order_items
    where order_date <= @run_date

),

products as (

    select product_id, category from raw.products

),

sessions as (

    select
        user_id,
        date(session_start_ts) as session_date

    from raw.sessions
    where session_start_ts < timestamp(date_add(@run_date, interval 1 day))

),

campaign_orders as (

    select
        exposures.campaign_id,
        exposures.user_id,
        orders.order_id,
        date_diff(orders.order_date, exposures.campaign_date, day) as day_offset

    from exposures
    inner join orders
        on exposures.user_id = orders.user_id
        and orders.order_date >= exposures.campaign_date
        and orders.order_date
        < date_add(exposures.campaign_date, interval @campaign_window_days_long day)

),

order_outcomes as (

    select
        campaign_id,
        user_id,
        countif(day_offset < @campaign_window_days_short) > 0 as has_order_short,
        countif(day_offset < @campaign_window_days_mid) > 0 as has_order_mid

    from campaign_orders
    group by campaign_id, user_id

),

line_outcomes as (

    select
        campaign_orders.campaign_id,
        campaign_orders.user_id,
        logical_or(products.category = exposures.category) as has_line_in_category,
        logical_or(products.category != exposures.category) as has_line_in_other_category,
        round(sum(order_items.line_amount), 2) as revenue

    from campaign_orders
    inner join exposures
        on campaign_orders.campaign_id = exposures.campaign_id
        and campaign_orders.user_id = exposures.user_id
    inner join order_items on campaign_orders.order_id = order_items.order_id
    inner join products on order_items.product_id = products.product_id
    group by campaign_orders.campaign_id, campaign_orders.user_id

),

session_activity as (

    select
        exposures.campaign_id,
        exposures.user_id,
        countif(
            sessions.session_date
            >= date_sub(exposures.campaign_date, interval @campaign_window_days_short day)
            and sessions.session_date < exposures.campaign_date
        ) > 0 as was_active_before_short,
        countif(
            sessions.session_date
            >= date_sub(exposures.campaign_date, interval @campaign_window_days_mid day)
            and sessions.session_date < exposures.campaign_date
        ) > 0 as was_active_before_mid,
        countif(sessions.session_date < exposures.campaign_date) > 0 as was_active_before_long,
        countif(
            sessions.session_date >= exposures.campaign_date
            and sessions.session_date
            < date_add(exposures.campaign_date, interval @campaign_window_days_short day)
        ) > 0 as was_active_after_short,
        countif(
            sessions.session_date >= exposures.campaign_date
            and sessions.session_date
            < date_add(exposures.campaign_date, interval @campaign_window_days_mid day)
        ) > 0 as was_active_after_mid,
        countif(sessions.session_date >= exposures.campaign_date) > 0 as was_active_after_long

    from exposures
    inner join sessions
        on exposures.user_id = sessions.user_id
        and sessions.session_date
        >= date_sub(exposures.campaign_date, interval @campaign_window_days_long day)
        and sessions.session_date
        < date_add(exposures.campaign_date, interval @campaign_window_days_long day)
    group by exposures.campaign_id, exposures.user_id

),

observed as (

    select
        exposures.*,
        date_diff(@run_date, exposures.campaign_date, day) + 1 as days_observed

    from exposures

),

final as (

    select
        observed.campaign_id,
        observed.campaign_date,
        observed.user_id,
        users.user_type,
        observed.experiment_group,
        observed.experiment_group = 'treatment' as is_treatment,
        observed.purchase_count_tier,
        observed.category as messaged_category,
        observed.sent_at is not null as is_sent,
        observed.opened_at is not null as is_opened,
        observed.blocked_at is not null as is_blocked,
        observed.days_observed,
        if(
            observed.days_observed >= @campaign_window_days_short,
            coalesce(order_outcomes.has_order_short, false),
            null
        ) as is_reactivated_7d,
        if(
            observed.days_observed >= @campaign_window_days_mid,
            coalesce(order_outcomes.has_order_mid, false),
            null
        ) as is_reactivated_14d,
        if(
            observed.days_observed >= @campaign_window_days_long,
            order_outcomes.user_id is not null,
            null
        ) as is_reactivated_28d,
        if(
            observed.days_observed >= @campaign_window_days_long,
            coalesce(line_outcomes.has_line_in_category, false),
            null
        ) as is_reactivated_in_category_28d,
        if(
            observed.days_observed >= @campaign_window_days_long,
            coalesce(line_outcomes.has_line_in_other_category, false),
            null
        ) as is_reactivated_other_category_28d,
        if(
            observed.days_observed >= @campaign_window_days_long,
            coalesce(line_outcomes.revenue, 0),
            null
        ) as revenue_28d,
        coalesce(session_activity.was_active_before_short, false) as is_active_before_7d,
        coalesce(session_activity.was_active_before_mid, false) as is_active_before_14d,
        coalesce(session_activity.was_active_before_long, false) as is_active_before_28d,
        if(
            observed.days_observed >= @campaign_window_days_short,
            coalesce(session_activity.was_active_after_short, false),
            null
        ) as is_active_after_7d,
        if(
            observed.days_observed >= @campaign_window_days_mid,
            coalesce(session_activity.was_active_after_mid, false),
            null
        ) as is_active_after_14d,
        if(
            observed.days_observed >= @campaign_window_days_long,
            coalesce(session_activity.was_active_after_long, false),
            null
        ) as is_active_after_28d

    from observed
    inner join users on observed.user_id = users.user_id
    left join order_outcomes
        on observed.campaign_id = order_outcomes.campaign_id
        and observed.user_id = order_outcomes.user_id
    left join line_outcomes
        on observed.campaign_id = line_outcomes.campaign_id
        and observed.user_id = line_outcomes.user_id
    left join session_activity
        on observed.campaign_id = session_activity.campaign_id
        and observed.user_id = session_activity.user_id

)

select * from final
