-- Grain: one row per signup_promo ('Promo' | 'No promo') x user_type, plus an 'All' user_type.
-- A user is a promo signup when the signup date falls within a promotion. Compares how fast they
-- buy (14/30-day conversion over users observed that long, days to first purchase), how deep the
-- discount on their first order was, and what follows (90/180-day retention, 180-day LTV).
with

user_summary as (

    select * from marts.dm_user_purchase_summary

),

promo_calendar as (

    select * from raw.promo_calendar

),

signup_promos as (

    select
        user_summary.user_id,
        max(promo_calendar.discount_rate) as signup_discount_rate

    from user_summary
    inner join promo_calendar
        on user_summary.signup_date between promo_calendar.start_date and promo_calendar.end_date
    group by user_summary.user_id

),

classified as (

    select
        user_summary.*,
        if(signup_promos.user_id is null, 'No promo', 'Promo') as signup_promo,
        signup_promos.signup_discount_rate

    from user_summary
    left join signup_promos on user_summary.user_id = signup_promos.user_id

),

grouped as (

    select user_type as user_group, classified.* from classified
    union all
    select 'All' as user_group, classified.* from classified

),

with_medians as (

    select
        *,
        percentile_cont(ltv_180d, 0.5) over (partition by signup_promo, user_group)
            as ltv_180d_median_window

    from grouped

),

final as (

    select
        signup_promo,
        user_group as user_type,
        count(*) as users,
        safe_divide(
            countif(days_observed >= 14 and is_converted_14d), countif(days_observed >= 14)
        ) as conversion_14d,
        safe_divide(
            countif(days_observed >= 30 and is_converted_30d), countif(days_observed >= 30)
        ) as conversion_30d,
        avg(days_to_first_purchase) as mean_days_to_first_purchase,
        avg(signup_discount_rate) as mean_signup_discount_rate,
        avg(first_order_discount_rate) as mean_first_order_discount_rate,
        safe_divide(countif(first_order_is_promo), count(first_order_is_promo))
            as first_order_promo_share,
        safe_divide(countif(is_retained_90d), count(is_retained_90d)) as retention_90d,
        safe_divide(countif(is_retained_180d), count(is_retained_180d)) as retention_180d,
        count(ltv_180d) as users_ltv_observed,
        avg(ltv_180d) as ltv_180d_mean,
        any_value(ltv_180d_median_window) as ltv_180d_median

    from with_medians
    group by signup_promo, user_group

)

select * from final
