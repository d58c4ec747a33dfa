-- Asserts: each subscription's fields agree with each other: an Active plan has no end_date and
-- a Cancelled or Expired one has an end_date not before its start_date; the Free plan costs 0
-- and a paid plan (Plus, Premium) costs more than 0.
-- Grain: one row per offending subscription, with the first problem found. Values outside the
-- closed sets are reported by allowed_values_subscriptions, not here.
with

subscriptions as (

    select subscription_id, user_id, plan, status, start_date, end_date, monthly_fee
    from raw.subscriptions

),

checked as (

    select
        subscription_id,
        user_id,
        plan,
        status,
        start_date,
        end_date,
        monthly_fee,
        case
            when status = 'Active' and end_date is not null then 'active plan with an end_date'
            when status in ('Cancelled', 'Expired') and end_date is null then 'ended plan without an end_date'
            when end_date < start_date then 'end_date before start_date'
            when plan = 'Free' and monthly_fee != 0 then 'Free plan with a fee'
            when plan in ('Plus', 'Premium') and not monthly_fee > 0 then 'paid plan without a fee'
        end as problem

    from subscriptions

),

final as (

    select * from checked
    where problem is not null

)

select * from final
