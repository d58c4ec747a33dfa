-- Grain: one row per signup_promo ('Promo' | 'No promo') x user_type, plus an 'All' user_type.
-- A user is a promo signup when the signup date falls within a promotion (is_promo_signup).
-- Compares how fast they buy, how deep the discount on their first order was, and what follows
-- (90/180-day retention, 180-day LTV). Every rate is over the users whose window is observed.
-- Time to convert is measured inside the 30-day window, among users observed 30 days: the mean
-- days to the first purchase of those who bought on days 0..29, and a censoring-aware restricted
-- mean over all of them, where a user with no purchase in the window counts the whole 30 days
-- (so late and never-buyers neither vanish nor stretch the mean).
with

user_summary as (

    select * from marts.dm_user_purchase_summary

),

classified as (

    select
        user_summary.*,
        if(is_promo_signup, 'Promo', 'No promo') as signup_promo,
        days_observed >= @conversion_days_short as is_observed_short,
        days_observed >= @conversion_days_long as is_observed_long

    from user_summary

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
        safe_divide(countif(is_observed_short and is_converted_14d), countif(is_observed_short))
            as conversion_14d,
        safe_divide(countif(is_observed_long and is_converted_30d), countif(is_observed_long))
            as conversion_30d,
        avg(if(is_observed_long and is_converted_30d, days_to_first_purchase, null))
            as mean_days_to_convert_30d,
        avg(
            if(
                is_observed_long,
                if(is_converted_30d, days_to_first_purchase, @conversion_days_long),
                null
            )
        ) as restricted_mean_days_to_purchase_30d,
        avg(signup_promo_discount_rate) as mean_signup_discount_rate,
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
