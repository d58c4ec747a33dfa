-- Grain: one row per question of the trade-off study the significance tests answer
-- (functions/src/statTests) x group in it: the users' values, ascending, in one array. Only
-- users whose window is observed take part: 180-day LTV once day 180 is observed, 14-day
-- conversion once day 13 is, AOV for buyers. Anomaly-flagged users are already out of the marts.
-- One row per group, not per user: the step reads 16 rows at any scale instead of up to five per
-- user (1.5M row objects, about 200 MiB of the step's memory, at 300,000 users).
with

users as (

    select * from marts.dm_user_purchase_summary

),

rhythm as (

    select * from marts.dm_behavior_consistency

),

ltv_by_user_type as (

    select
        'ltv_180d by user_type' as question,
        user_type as group_label,
        ltv_180d as value

    from users
    where ltv_180d is not null

),

conversion_by_user_type as (

    select
        'is_converted_14d by user_type' as question,
        user_type as group_label,
        if(is_converted_14d, 1.0, 0.0) as value

    from users
    where days_observed >= @conversion_days_short

),

ltv_by_consistency_tier as (

    select
        'ltv_180d by consistency_tier' as question,
        rhythm.consistency_tier as group_label,
        users.ltv_180d as value

    from users
    inner join rhythm on users.user_id = rhythm.user_id
    where users.ltv_180d is not null
        and rhythm.consistency_tier is not null

),

conversion_by_signup_promo as (

    select
        'is_converted_14d by signup_promo' as question,
        if(is_promo_signup, 'Promo', 'No promo') as group_label,
        if(is_converted_14d, 1.0, 0.0) as value

    from users
    where days_observed >= @conversion_days_short

),

aov_by_subscription as (

    select
        'aov by subscription' as question,
        if(is_paid_subscriber, 'Paid', 'Free') as group_label,
        aov as value

    from users
    where aov is not null

),

question_values as (

    select * from ltv_by_user_type
    union all
    select * from conversion_by_user_type
    union all
    select * from ltv_by_consistency_tier
    union all
    select * from conversion_by_signup_promo
    union all
    select * from aov_by_subscription

),

final as (

    select
        question,
        group_label,
        array_agg(value order by value) as group_values

    from question_values
    group by question, group_label

)

select * from final
