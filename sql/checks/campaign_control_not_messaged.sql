-- Asserts: the control group is never messaged (no send, open or block); every treated user is
-- sent the message on the campaign day, and opens and blocks come after the send, on that day
-- (an exposure row holds what happened on its own day).
-- Grain: one row per exposure breaking the rule, with the problem.
with

exposures as (

    select
        exposure_id,
        campaign_id,
        campaign_date,
        user_id,
        experiment_group,
        sent_at,
        opened_at,
        blocked_at

    from raw.campaign_exposures

),

checked as (

    select
        *,
        case
            when experiment_group = 'control'
                and (sent_at is not null or opened_at is not null or blocked_at is not null)
                then 'control group messaged'
            when experiment_group = 'treatment' and sent_at is null
                then 'treated user not sent the message'
            when date(sent_at) != campaign_date then 'message sent on another day'
            when opened_at < sent_at or blocked_at < sent_at then 'opened or blocked before the send'
            when date(opened_at) != campaign_date or date(blocked_at) != campaign_date
                then 'opened or blocked on another day'
        end as problem

    from exposures

),

final as (

    select * from checked
    where problem is not null

)

select * from final
