-- Grain: one row per RFM segment (all nine): what a reactivation campaign sent to the segment's
-- reachable buyers would be worth, from the campaigns' measured uplift and the cost model.
-- Reachable: buyers of the segment in the @run_date snapshot who are on the reactivation list
-- (marts.dm_churn_risk) and never blocked notifications after a campaign. Measured uplift:
-- treated minus control among every campaign's users whose 28-day window is observed (the
-- campaigns target the same list, so their uplift is the list's). Cost:
-- @roi_cost_pct_of_incremental_revenue% of the expected incremental revenue when positive, plus
-- @roi_cost_per_message_cents cents per message; net value = revenue - cost; ROI = net / cost.
with

segments as (

    select distinct segment from snapshots.rfm_segment_map

),

snapshot as (

    select user_id, segment from snapshots.rfm_daily
    where snapshot_date = @run_date

),

targets as (

    select user_id from marts.dm_churn_risk
    where is_reactivation_target

),

blocked_users as (

    select distinct user_id from raw.campaign_exposures
    where campaign_date <= @run_date
        and blocked_at is not null

),

campaign_users as (

    select
        is_treatment,
        cast(is_reactivated_28d as int64) as reactivated,
        revenue_28d

    from marts.dm_campaign_users
    where is_reactivated_28d is not null

),

reachable as (

    select
        snapshot.segment,
        count(*) as reachable_users

    from snapshot
    inner join targets on snapshot.user_id = targets.user_id
    left join blocked_users on snapshot.user_id = blocked_users.user_id
    where blocked_users.user_id is null
    group by snapshot.segment

),

measured as (

    -- coalesce: over no campaign rows the GoogleSQL reference evaluator answers countif with
    -- null where DuckDB answers 0; a count is 0 in both.
    select
        coalesce(countif(is_treatment), 0) as treated_users,
        coalesce(countif(not is_treatment), 0) as control_users,
        avg(if(is_treatment, reactivated, null)) - avg(if(is_treatment, null, reactivated))
            as reactivation_uplift,
        avg(if(is_treatment, revenue_28d, null)) - avg(if(is_treatment, null, revenue_28d))
            as incremental_revenue

    from campaign_users

),

expected as (

    select
        segments.segment,
        coalesce(reachable.reachable_users, 0) as reachable_users,
        measured.treated_users as measured_treated_users,
        measured.control_users as measured_control_users,
        measured.reactivation_uplift as reactivation_uplift_28d,
        measured.incremental_revenue as incremental_revenue_per_user_28d,
        coalesce(reachable.reachable_users, 0) * measured.reactivation_uplift
            as expected_incremental_buyers,
        coalesce(reachable.reachable_users, 0) * measured.incremental_revenue
            as expected_incremental_revenue

    from segments
    left join reachable on segments.segment = reachable.segment
    cross join measured

),

costed as (

    select
        *,
        reachable_users * @roi_cost_per_message_cents / 100
        + @roi_cost_pct_of_incremental_revenue / 100 * case
            when expected_incremental_revenue is null then null
            when expected_incremental_revenue > 0 then expected_incremental_revenue
            else 0
        end as campaign_cost

    from expected

),

final as (

    select
        *,
        expected_incremental_revenue - campaign_cost as net_value,
        safe_divide(expected_incremental_revenue - campaign_cost, campaign_cost) as roi

    from costed

)

select * from final
