-- Grain: one row per reactivation campaign (and 'All campaigns' pooled) x slice (every user, or
-- one purchase-count tier, the randomisation's strata) x experiment group: the counts the
-- campaign's significance tests read (functions/src/statTests/campaignTests.ts). Each
-- reactivation count is over the users whose window is observed (n_*); the guardrail's counts
-- are over messaged users.
with

campaign_users as (

    select * from marts.dm_campaign_users

),

sliced as (

    select campaign_id, 'all' as slice, campaign_users.* except (campaign_id)
    from campaign_users

    union all

    select campaign_id, concat('tier ', purchase_count_tier) as slice,
        campaign_users.* except (campaign_id)
    from campaign_users

),

pooled as (

    select * from sliced

    union all

    select 'All campaigns' as campaign_id, sliced.* except (campaign_id)
    from sliced

),

final as (

    select
        campaign_id,
        slice,
        experiment_group,
        countif(is_sent) as users_messaged,
        countif(is_blocked) as users_blocked,
        count(is_reactivated_7d) as n_7d,
        countif(is_reactivated_7d) as k_7d,
        count(is_reactivated_14d) as n_14d,
        countif(is_reactivated_14d) as k_14d,
        count(is_reactivated_28d) as n_28d,
        countif(is_reactivated_28d) as k_28d,
        countif(is_reactivated_in_category_28d) as k_in_category_28d,
        countif(is_reactivated_other_category_28d) as k_other_category_28d

    from pooled
    group by campaign_id, slice, experiment_group

)

select * from final
