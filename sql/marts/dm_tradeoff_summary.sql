-- Grain: one row per segment_type x segment, where segment_type is user_type, consistency_tier,
-- marketing_source or signup_promo. Short-term conversion against long-term value: each rate is
-- taken over the users whose window is observed (14/30 days since signup; day N + 29 for
-- retention; 180 days for LTV), so recent signups do not dilute it. The paid-subscription share
-- counts users whose paid plan is active (is_paid_subscriber), over every user of the segment.
with

user_summary as (

    select * from marts.dm_user_purchase_summary

),

behavior as (

    select * from marts.dm_behavior_consistency

),

user_segments as (

    select 'user_type' as segment_type, user_type as segment, user_id from user_summary
    union all
    select 'consistency_tier', consistency_tier, user_id from behavior
    where consistency_tier is not null
    union all
    select 'marketing_source', marketing_source, user_id from user_summary
    union all
    select 'signup_promo', if(is_promo_signup, 'Promo', 'No promo'), user_id from user_summary

),

segment_users as (

    select
        user_segments.segment_type,
        user_segments.segment,
        user_summary.*,
        percentile_cont(user_summary.ltv_180d, 0.5) over (
            partition by user_segments.segment_type, user_segments.segment
        ) as ltv_180d_median,
        percentile_cont(user_summary.ltv_180d, 0.9) over (
            partition by user_segments.segment_type, user_segments.segment
        ) as ltv_180d_p90

    from user_segments
    inner join user_summary on user_segments.user_id = user_summary.user_id

),

final as (

    select
        segment_type,
        segment,
        count(*) as users,
        countif(days_observed >= @conversion_days_short) as users_observed_14d,
        safe_divide(
            countif(days_observed >= @conversion_days_short and is_converted_14d),
            countif(days_observed >= @conversion_days_short)
        ) as conversion_14d,
        safe_divide(
            countif(days_observed >= @conversion_days_long and is_converted_30d),
            countif(days_observed >= @conversion_days_long)
        ) as conversion_30d,
        safe_divide(countif(is_retained_90d), count(is_retained_90d)) as retention_90d,
        safe_divide(countif(is_retained_180d), count(is_retained_180d)) as retention_180d,
        count(ltv_180d) as users_ltv_observed,
        avg(ltv_180d) as ltv_180d_mean,
        any_value(ltv_180d_median) as ltv_180d_median,
        any_value(ltv_180d_p90) as ltv_180d_p90,
        avg(if(is_paid_subscriber, 1, 0)) as paid_subscription_share

    from segment_users
    group by segment_type, segment

)

select * from final
