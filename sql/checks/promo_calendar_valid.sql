-- Asserts: every promotion runs forward in time (start_date <= end_date) with a discount_rate in
-- [0, 1), and no two promotions overlap, so each UTC day has at most one promotion.
-- Grain: one row per invalid promotion, or per overlapping pair (promo_id < other_promo_id).
with

promos as (

    select promo_id, start_date, end_date, discount_rate
    from raw.promo_calendar

),

invalid as (

    select
        promo_id,
        cast(null as string) as other_promo_id,
        start_date,
        end_date,
        if(start_date > end_date, 'ends before it starts', 'discount_rate outside [0, 1)')
            as problem

    from promos
    where start_date > end_date
        or not (discount_rate >= 0 and discount_rate < 1)

),

overlapping as (

    select
        promos.promo_id,
        others.promo_id as other_promo_id,
        greatest(promos.start_date, others.start_date) as start_date,
        least(promos.end_date, others.end_date) as end_date,
        'overlaps another promotion' as problem

    from promos
    inner join promos as others
        on promos.promo_id < others.promo_id
        and promos.start_date <= others.end_date
        and others.start_date <= promos.end_date

),

final as (

    select * from invalid
    union all
    select * from overlapping

)

select * from final
