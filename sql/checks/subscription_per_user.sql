-- Asserts: every user has exactly one subscription row, its id is `SUB_{user_id}`, and no
-- subscription belongs to a user who does not exist.
-- Grain: one row per user_id with a problem, with its subscription count.
with

users as (

    select user_id
    from raw.users

),

subscriptions as (

    select subscription_id, user_id
    from raw.subscriptions

),

subscriptions_per_user as (

    select
        user_id,
        count(*) as subscriptions,
        countif(subscription_id is null or subscription_id != concat('SUB_', user_id))
            as misnamed_subscriptions

    from subscriptions
    group by user_id

),

checked as (

    select
        coalesce(users.user_id, subscriptions_per_user.user_id) as user_id,
        coalesce(subscriptions_per_user.subscriptions, 0) as subscriptions,
        case
            when subscriptions_per_user.subscriptions is null then 'user without a subscription'
            when users.user_id is null then 'subscription without a user'
            when subscriptions_per_user.subscriptions > 1 then 'several subscriptions'
            when subscriptions_per_user.misnamed_subscriptions > 0
                then 'subscription_id is not SUB_{user_id}'
        end as problem

    from users
    full outer join subscriptions_per_user
        on users.user_id = subscriptions_per_user.user_id

),

final as (

    select * from checked
    where problem is not null

)

select * from final
