-- Grain: one row per population x user_type x consistency_tier, plus 'All' rollups of the user
-- type, of the tier and of both. population 'All users' is every user observed for 180 days
-- (non-buyers at zero); 'Buyers' is those of them who spent in their 180 days (is_buyer_180d),
-- so the shape of value among paying users is not drowned by the zeros of those who never paid.
-- The shape of 180-day LTV: percentiles (exact, linear interpolation), the revenue share of the
-- top 1% / 10% / 20% of users (the top ceil(share * users), whole users counted in integers) and
-- the Gini coefficient (null when the group earned nothing). dm_ltv_lorenz holds the whole curve.
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

ranked as (

    select
        population,
        user_type,
        consistency_tier,
        ltv_180d,
        row_number() over (
            partition by population, user_type, consistency_tier
            order by ltv_180d desc, user_id
        ) as rank_desc,
        row_number() over (
            partition by population, user_type, consistency_tier order by ltv_180d, user_id
        ) as rank_asc,
        count(*) over (partition by population, user_type, consistency_tier) as group_users,
        percentile_cont(ltv_180d, 0.5) over (
            partition by population, user_type, consistency_tier
        ) as p50,
        percentile_cont(ltv_180d, 0.75) over (
            partition by population, user_type, consistency_tier
        ) as p75,
        percentile_cont(ltv_180d, 0.9) over (
            partition by population, user_type, consistency_tier
        ) as p90,
        percentile_cont(ltv_180d, 0.99) over (
            partition by population, user_type, consistency_tier
        ) as p99

    from grouped

),

final as (

    select
        population,
        user_type,
        consistency_tier,
        count(*) as users,
        avg(ltv_180d) as ltv_180d_mean,
        any_value(p50) as ltv_180d_p50,
        any_value(p75) as ltv_180d_p75,
        any_value(p90) as ltv_180d_p90,
        any_value(p99) as ltv_180d_p99,
        sum(ltv_180d) as ltv_180d_total,
        safe_divide(
            sum(if(rank_desc <= div(group_users + 99, 100), ltv_180d, 0)), sum(ltv_180d)
        ) as top_1pct_revenue_share,
        safe_divide(
            sum(if(rank_desc <= div(group_users * 10 + 99, 100), ltv_180d, 0)), sum(ltv_180d)
        ) as top_10pct_revenue_share,
        safe_divide(
            sum(if(rank_desc <= div(group_users * @pareto_top_pct + 99, 100), ltv_180d, 0)),
            sum(ltv_180d)
        ) as top_20pct_revenue_share,
        safe_divide(2 * sum(rank_asc * ltv_180d), count(*) * sum(ltv_180d))
            - safe_divide(count(*) + 1, count(*)) as gini

    from ranked
    group by population, user_type, consistency_tier

)

select * from final
