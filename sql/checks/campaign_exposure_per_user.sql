-- Asserts: a campaign targets a user at most once, its exposure id is `<campaign_id>-<user_id>`,
-- all of a campaign's rows share one campaign date, and the category it names is a catalogue
-- category.
-- Grain: one row per exposure with a problem, with the problem.
with

exposures as (

    select exposure_id, campaign_id, campaign_date, user_id, category
    from raw.campaign_exposures

),

products as (

    select distinct category
    from raw.products

),

exposures_per_user as (

    select
        campaign_id,
        user_id,
        count(*) as exposures

    from exposures
    group by campaign_id, user_id

),

campaign_dates as (

    select
        campaign_id,
        count(distinct campaign_date) as campaign_dates

    from exposures
    group by campaign_id

),

checked as (

    select
        exposures.exposure_id,
        exposures.campaign_id,
        exposures.user_id,
        exposures.campaign_date,
        exposures.category,
        case
            when exposures_per_user.exposures > 1 then 'user targeted more than once by the campaign'
            when exposures.exposure_id != concat(exposures.campaign_id, '-', exposures.user_id)
                then 'exposure_id is not <campaign_id>-<user_id>'
            when campaign_dates.campaign_dates > 1 then 'campaign on more than one date'
            when products.category is null then 'category not in the catalogue'
        end as problem

    from exposures
    inner join exposures_per_user
        on exposures.campaign_id = exposures_per_user.campaign_id
        and exposures.user_id = exposures_per_user.user_id
    inner join campaign_dates
        on exposures.campaign_id = campaign_dates.campaign_id
    left join products
        on exposures.category = products.category

),

final as (

    select * from checked
    where problem is not null

)

select * from final
