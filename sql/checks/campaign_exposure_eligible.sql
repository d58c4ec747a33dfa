-- Asserts: every targeted user is on the reactivation list the day before the campaign, in the
-- purchase-count tier stated: a buyer (not anomaly-flagged, signed up by then) not yet churned
-- whose silence exceeds the upper quartile of the purchase cycles in the tier. This is
-- marts.dm_churn_risk's rule, with the same parameters, evaluated as of each campaign's eve.
-- Grain: one row per exposure of a user who was not eligible, or not in the stated tier.
--
-- The rule is recomputed per campaign here because the mart holds one run date only;
-- functions/src/generator/campaign.test.ts holds the generator to the mart's list, and
-- functions/src/checks/testing/corruptions.ts this check to both sides of the quartile.
with

exposures as (

    select exposure_id, campaign_id, campaign_date, user_id, purchase_count_tier
    from raw.campaign_exposures

),

campaigns as (

    select distinct campaign_id, campaign_date
    from exposures

),

users as (

    select user_id, signup_date
    from raw.users
    where not anomaly_flag

),

orders as (

    select user_id, order_ts
    from raw.orders

),

-- Each campaign's buyers, from the orders before its day.
buyer_orders as (

    select
        campaigns.campaign_id,
        campaigns.campaign_date,
        orders.user_id,
        count(*) as order_count,
        min(date(orders.order_ts)) as first_purchase_date,
        max(date(orders.order_ts)) as last_purchase_date

    from campaigns
    inner join orders
        on orders.order_ts < timestamp(campaigns.campaign_date)
    inner join users
        on orders.user_id = users.user_id
        and users.signup_date < campaigns.campaign_date
    group by campaigns.campaign_id, campaigns.campaign_date, orders.user_id

),

buyers as (

    select
        campaign_id,
        user_id,
        order_count,
        date_diff(date_sub(campaign_date, interval 1 day), last_purchase_date, day)
            as days_since_last_purchase,
        date_diff(last_purchase_date, first_purchase_date, day) as cycle_span_days,
        order_count - 1 as cycle_gaps,
        case
            when order_count = 1 then '1'
            when order_count = 2 then '2'
            when order_count <= 4 then '3-4'
            else '5+'
        end as purchase_count_tier

    from buyer_orders

),

tier_cycle_ranks as (

    select
        campaign_id,
        purchase_count_tier,
        cycle_span_days,
        cycle_gaps,
        row_number() over (
            partition by campaign_id, purchase_count_tier
            order by cycle_span_days / cycle_gaps, user_id
        ) - 1 as cycle_index,
        count(*) over (partition by campaign_id, purchase_count_tier) as tier_buyers

    from buyers
    where order_count >= 2

),

tier_positions as (

    select distinct
        campaign_id,
        purchase_count_tier,
        div(@reactivation_cycle_percentile * (tier_buyers - 1), 100) as lower_index,
        mod(@reactivation_cycle_percentile * (tier_buyers - 1), 100) as position_remainder

    from tier_cycle_ranks

),

tier_cycles as (

    select
        tier_positions.campaign_id,
        tier_positions.purchase_count_tier,
        tier_positions.position_remainder,
        lower_cycle.cycle_span_days as lower_span_days,
        lower_cycle.cycle_gaps as lower_gaps,
        coalesce(upper_cycle.cycle_span_days, lower_cycle.cycle_span_days) as upper_span_days,
        coalesce(upper_cycle.cycle_gaps, lower_cycle.cycle_gaps) as upper_gaps

    from tier_positions
    inner join tier_cycle_ranks as lower_cycle
        on tier_positions.campaign_id = lower_cycle.campaign_id
        and tier_positions.purchase_count_tier = lower_cycle.purchase_count_tier
        and tier_positions.lower_index = lower_cycle.cycle_index
    left join tier_cycle_ranks as upper_cycle
        on tier_positions.campaign_id = upper_cycle.campaign_id
        and tier_positions.purchase_count_tier = upper_cycle.purchase_count_tier
        and tier_positions.lower_index + 1 = upper_cycle.cycle_index

),

-- silence > a + (b - a) * r / 100 with a = ls / lg, b = us / ug, times 100 * lg * ug > 0
eligibility as (

    select
        buyers.campaign_id,
        buyers.user_id,
        buyers.purchase_count_tier,
        coalesce(
            buyers.days_since_last_purchase <= @churn_after_days
            and 100
            * (
                buyers.days_since_last_purchase * tier_cycles.lower_gaps
                - tier_cycles.lower_span_days
            )
            * tier_cycles.upper_gaps
            > (
                tier_cycles.upper_span_days * tier_cycles.lower_gaps
                - tier_cycles.lower_span_days * tier_cycles.upper_gaps
            )
            * tier_cycles.position_remainder,
            false
        ) as is_reactivation_target

    from buyers
    left join tier_cycles
        on buyers.campaign_id = tier_cycles.campaign_id
        and buyers.purchase_count_tier = tier_cycles.purchase_count_tier

),

checked as (

    select
        exposures.exposure_id,
        exposures.campaign_id,
        exposures.campaign_date,
        exposures.user_id,
        exposures.purchase_count_tier,
        eligibility.purchase_count_tier as tier_on_the_eve,
        case
            when eligibility.user_id is null then 'not a buyer the day before the campaign'
            when eligibility.purchase_count_tier != exposures.purchase_count_tier
                then 'not in the stated purchase-count tier'
            when not eligibility.is_reactivation_target
                then 'not on the reactivation list the day before the campaign'
        end as problem

    from exposures
    left join eligibility
        on exposures.campaign_id = eligibility.campaign_id
        and exposures.user_id = eligibility.user_id

),

final as (

    select * from checked
    where problem is not null

)

select * from final
