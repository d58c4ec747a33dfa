-- Grain: one row per population x user_type x consistency_tier x user_share_pct (0, 5, ..., 100,
-- every @lorenz_step_pct), the same populations and 'All' rollups as dm_ltv_distribution.
-- The Lorenz curve of 180-day LTV: the share of the group's revenue earned by its lowest-value
-- floor(user_share_pct / 100 * users) users (counted in integers). Pareto reads off it: the top
-- 20% earn 1 - revenue_share at user_share_pct 80. revenue_share is null when the group earned
-- nothing.
with

user_summary as (

    select * from marts.dm_user_purchase_summary
    where ltv_180d is not null

),

behavior as (

    select * from marts.dm_behavior_consistency

),

user_groups as (

    select
        user_summary.user_id,
        user_summary.ltv_180d,
        user_summary.is_buyer_180d,
        user_summary.user_type,
        coalesce(behavior.consistency_tier, 'Unknown') as consistency_tier

    from user_summary
    left join behavior on user_summary.user_id = behavior.user_id

),

populations as (

    select 'All users' as population, user_groups.* from user_groups
    union all
    select 'Buyers', user_groups.* from user_groups
    where is_buyer_180d

),

grouped as (

    select population, user_type, consistency_tier, user_id, ltv_180d from populations
    union all
    select population, user_type, 'All', user_id, ltv_180d from populations
    union all
    select population, 'All', consistency_tier, user_id, ltv_180d from populations
    union all
    select population, 'All', 'All', user_id, ltv_180d from populations

),

cumulative as (

    select
        population,
        user_type,
        consistency_tier,
        row_number() over (
            partition by population, user_type, consistency_tier order by ltv_180d, user_id
        ) as rank_asc,
        sum(ltv_180d) over (
            partition by population, user_type, consistency_tier
            order by ltv_180d, user_id
            rows between unbounded preceding and current row
        ) as cumulative_ltv

    from grouped

),

group_totals as (

    select
        population,
        user_type,
        consistency_tier,
        count(*) as users,
        sum(ltv_180d) as ltv_180d_total

    from grouped
    group by population, user_type, consistency_tier

),

points as (

    select user_share_pct
    from unnest(generate_array(0, 100, @lorenz_step_pct)) as user_share_pct

),

group_points as (

    select
        group_totals.*,
        points.user_share_pct,
        div(points.user_share_pct * group_totals.users, 100) as lowest_users

    from group_totals
    cross join points

),

final as (

    select
        group_points.population,
        group_points.user_type,
        group_points.consistency_tier,
        group_points.user_share_pct,
        group_points.users,
        group_points.lowest_users,
        safe_divide(coalesce(cumulative.cumulative_ltv, 0), group_points.ltv_180d_total)
            as revenue_share

    from group_points
    left join cumulative
        on group_points.population = cumulative.population
        and group_points.user_type = cumulative.user_type
        and group_points.consistency_tier = cumulative.consistency_tier
        and group_points.lowest_users = cumulative.rank_asc

)

select * from final
