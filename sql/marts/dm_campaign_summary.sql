-- Grain: one row per reactivation campaign x experiment group, plus 'All campaigns' x group
-- pooling every campaign's users. Each rate is over the users whose window is observed by
-- @run_date (the users_observed_* columns count them); rates before the campaign are over all
-- users. Open and block rates are over messaged users (the treatment group; null for control).
-- The guardrail compares the block rate with @guardrail_block_rate_max_pct; the uplift against
-- control, its interval and p-value, are in marts.dm_stat_tests.
with

campaign_users as (

    select * from marts.dm_campaign_users

),

scopes as (

    -- Each user counts twice: in its own campaign's rows and in the pooled rows.
    select is_pooled from unnest([false, true]) as is_pooled

),

labelled as (

    select
        if(scopes.is_pooled, 'All campaigns', campaign_users.campaign_id) as campaign_id,
        if(scopes.is_pooled, cast(null as date), campaign_users.campaign_date) as campaign_date,
        campaign_users.experiment_group,
        campaign_users.is_sent,
        campaign_users.is_opened,
        campaign_users.is_blocked,
        campaign_users.is_reactivated_7d,
        campaign_users.is_reactivated_14d,
        campaign_users.is_reactivated_28d,
        campaign_users.is_reactivated_in_category_28d,
        campaign_users.is_reactivated_other_category_28d,
        campaign_users.revenue_28d,
        campaign_users.is_active_before_7d,
        campaign_users.is_active_before_14d,
        campaign_users.is_active_before_28d,
        campaign_users.is_active_after_7d,
        campaign_users.is_active_after_14d,
        campaign_users.is_active_after_28d

    from campaign_users
    cross join scopes

),

final as (

    select
        campaign_id,
        campaign_date,
        experiment_group,
        count(*) as users,
        countif(is_sent) as users_messaged,
        countif(is_opened) as users_opened,
        countif(is_blocked) as users_blocked,
        safe_divide(countif(is_opened), countif(is_sent)) as open_rate,
        safe_divide(countif(is_blocked), countif(is_sent)) as block_rate,
        @guardrail_block_rate_max_pct / 100 as block_rate_max,
        if(
            countif(is_sent) > 0,
            100 * countif(is_blocked) <= @guardrail_block_rate_max_pct * countif(is_sent),
            null
        ) as is_block_rate_within_max,
        count(is_reactivated_7d) as users_observed_7d,
        count(is_reactivated_14d) as users_observed_14d,
        count(is_reactivated_28d) as users_observed_28d,
        avg(cast(is_reactivated_7d as int64)) as reactivation_rate_7d,
        avg(cast(is_reactivated_14d as int64)) as reactivation_rate_14d,
        avg(cast(is_reactivated_28d as int64)) as reactivation_rate_28d,
        avg(cast(is_reactivated_in_category_28d as int64)) as reactivation_rate_in_category_28d,
        avg(cast(is_reactivated_other_category_28d as int64)) as reactivation_rate_other_category_28d,
        avg(revenue_28d) as revenue_per_user_28d,
        avg(cast(is_active_before_7d as int64)) as active_rate_before_7d,
        avg(cast(is_active_before_14d as int64)) as active_rate_before_14d,
        avg(cast(is_active_before_28d as int64)) as active_rate_before_28d,
        avg(cast(is_active_after_7d as int64)) as active_rate_after_7d,
        avg(cast(is_active_after_14d as int64)) as active_rate_after_14d,
        avg(cast(is_active_after_28d as int64)) as active_rate_after_28d

    from labelled
    group by campaign_id, campaign_date, experiment_group

)

select * from final
