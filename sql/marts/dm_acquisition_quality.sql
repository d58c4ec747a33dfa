-- Grain: one row per dimension x dimension_value. dimension is 'marketing_source' (every user)
-- or 'first_purchase_category' (buyers, by the category of the largest line of their first
-- order: the "gateway" category; equal lines go to the lowest product_id). Users, buyers, the
-- share who are VIP Champions in the RFM snapshot of @run_date, 14-day conversion (users
-- observed 14 days) and 180-day LTV (users observed 180 days). Conversion is null for gateway
-- categories: every user there has bought, so a rate would be conditioned on buying and would
-- not be the conversion of anyone the category acquired.
with

user_summary as (

    select * from marts.dm_user_purchase_summary

),

rfm as (

    select * from snapshots.rfm_daily
    where snapshot_date = @run_date

),

users_with_vip as (

    select
        user_summary.*,
        coalesce(rfm.segment = 'VIP Champions', false) as is_vip

    from user_summary
    left join rfm on user_summary.user_id = rfm.user_id

),

dimensioned as (

    select 'marketing_source' as dimension, marketing_source as dimension_value, users_with_vip.*
    from users_with_vip
    union all
    select 'first_purchase_category', first_purchase_category, users_with_vip.*
    from users_with_vip
    where first_purchase_category is not null

),

with_medians as (

    select
        *,
        percentile_cont(ltv_180d, 0.5) over (partition by dimension, dimension_value)
            as ltv_180d_median_window

    from dimensioned

),

final as (

    select
        dimension,
        dimension_value,
        count(*) as users,
        countif(orders > 0) as buyers,
        safe_divide(countif(orders > 0), count(*)) as buyer_share,
        countif(is_vip) as vip_users,
        safe_divide(countif(is_vip), count(*)) as vip_share,
        safe_divide(countif(is_vip), countif(orders > 0)) as vip_share_of_buyers,
        if(
            dimension = 'first_purchase_category',
            null,
            safe_divide(
                countif(days_observed >= @conversion_days_short and is_converted_14d),
                countif(days_observed >= @conversion_days_short)
            )
        ) as conversion_14d,
        count(ltv_180d) as users_ltv_observed,
        avg(ltv_180d) as ltv_180d_mean,
        any_value(ltv_180d_median_window) as ltv_180d_median

    from with_medians
    group by dimension, dimension_value

)

select * from final
