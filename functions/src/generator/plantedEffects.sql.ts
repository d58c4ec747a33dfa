/**
 * KPI queries over gen.* for the planted-effects test, written from SPEC's definitions (day 0 =
 * signup date, converted within N days when days_to_first_purchase < N, ltv_180d only with 180
 * days observed, retained at day 90 when a session falls in days 90..119 and day 119 is
 * observed). Independent of the marts on purpose: the test checks the generator, not the marts.
 */

/** One row per non-anomaly user with the KPIs the planted effects are stated in. */
export function userKpisSql(observationEnd: string): string {
  return `
with

users as (

    select * from gen.users
    where not anomaly_flag

),

first_orders as (

    select
        user_id,
        min(order_ts) as first_order_at,
        count(*) as order_count

    from gen.orders
    group by 1

),

revenue_180 as (

    select
        orders.user_id,
        sum(order_items.line_amount) as revenue

    from gen.orders as orders
    inner join gen.order_items as order_items on order_items.order_id = orders.order_id
    inner join users on users.user_id = orders.user_id
    where orders.order_ts < users.signup_date + interval 180 day
    group by 1

),

visits as (

    select
        sessions.user_id,
        count(*) as session_count,
        bool_or(date_diff('day', users.signup_date, cast(sessions.session_start_ts as date))
            between 90 and 119) as has_visit_90_119

    from gen.sessions as sessions
    inner join users on users.user_id = sessions.user_id
    group by 1

),

promo_days as (

    select start_date, end_date from gen.promo_calendar

),

final as (

    select
        users.user_id,
        users.user_type,
        exists (select 1 from promo_days where users.signup_date between start_date and end_date)
            as is_promo_signup,
        coalesce(date_diff('day', users.signup_date, cast(first_orders.first_order_at as date)) < 14, false)
            as is_converted_14d,
        case when users.signup_date + 180 <= date '${observationEnd}'
            then coalesce(revenue_180.revenue, 0) end as ltv_180d,
        case when users.signup_date + 119 <= date '${observationEnd}'
            then coalesce(visits.has_visit_90_119, false) end as is_retained_90d,
        coalesce(visits.session_count, 0) as session_count,
        coalesce(first_orders.order_count, 0) as order_count

    from users
    left join first_orders using (user_id)
    left join revenue_180 using (user_id)
    left join visits using (user_id)

)

select * from final`;
}

/** Per type: 14-day conversion, mean 180-day LTV, 90-day retention, sessions and purchase rate. */
export function typeKpisSql(observationEnd: string): string {
  return `
select
    user_type,
    avg(is_converted_14d::integer) as conversion_14d,
    avg(ltv_180d) as mean_ltv_180d,
    avg(is_retained_90d::integer) as retention_90d,
    avg(session_count) as sessions_per_user,
    sum(order_count) / sum(session_count) as purchases_per_session

from (${userKpisSql(observationEnd)})
group by 1
order by 1`;
}

/** 14-day conversion of signups during a promotion against the others. */
export function promoSignupConversionSql(observationEnd: string): string {
  return `
select
    is_promo_signup,
    count(*) as users,
    avg(is_converted_14d::integer) as conversion_14d

from (${userKpisSql(observationEnd)})
group by 1`;
}

/**
 * Mean 180-day LTV by tercile of the coefficient of variation of the gaps between visits in the
 * first 90 days (users with at least three gaps and 180 days observed), over all users and
 * within each type.
 */
export function rhythmTercilesSql(observationEnd: string): string {
  return `
with

users as (

    select * from gen.users
    where not anomaly_flag and signup_date + 180 <= date '${observationEnd}'

),

early_visits as (

    select
        sessions.user_id,
        sessions.session_start_ts

    from gen.sessions as sessions
    inner join users on users.user_id = sessions.user_id
    where sessions.session_start_ts < users.signup_date + interval 90 day

),

gaps as (

    select
        user_id,
        epoch(session_start_ts - lag(session_start_ts) over (
            partition by user_id order by session_start_ts)) / 86400 as gap_days

    from early_visits

),

rhythm as (

    select
        user_id,
        stddev_pop(gap_days) / avg(gap_days) as gap_cv

    from gaps
    where gap_days is not null
    group by 1
    having count(*) >= 3

),

kpis as (

    select user_id, user_type, ltv_180d from (${userKpisSql(observationEnd)})

),

ranked as (

    select
        kpis.user_type,
        kpis.ltv_180d,
        ntile(3) over (order by rhythm.gap_cv, rhythm.user_id) as tercile,
        ntile(3) over (partition by kpis.user_type order by rhythm.gap_cv, rhythm.user_id) as type_tercile

    from rhythm
    inner join kpis using (user_id)

),

capped as (

    -- Each type's 180-day LTV capped at its 99th percentile: C's haul orders are a heavy tail
    -- planted independently of rhythm, and a few of them swing a tercile's mean at test scale.
    select
        *,
        least(ltv_180d, quantile_cont(ltv_180d, 0.99) over (partition by user_type)) as capped_ltv

    from ranked

)

select 'all' as scope, tercile, count(*) as users, avg(ltv_180d) as mean_ltv_180d,
    avg(capped_ltv) as capped_mean_ltv_180d
from capped group by all
union all
select user_type, type_tercile, count(*), avg(ltv_180d), avg(capped_ltv)
from capped group by all
order by 1, 2`;
}

/** Purchase rate per session in and out of promotions, for users in their first 14 days and later. */
export function promoLiftSql(): string {
  return `
with

sessions as (

    select
        sessions.session_id,
        sessions.is_promo,
        date_diff('day', users.signup_date, cast(sessions.session_start_ts as date)) < 14 as is_new_user

    from gen.sessions as sessions
    inner join gen.users as users on users.user_id = sessions.user_id
    where not users.anomaly_flag

),

purchases as (

    select distinct session_id from gen.events
    where event_type = 'purchase'

)

select
    is_new_user,
    avg(is_promo::integer * (purchases.session_id is not null)::integer) / avg(is_promo::integer)
        as promo_rate,
    avg((not is_promo)::integer * (purchases.session_id is not null)::integer) / avg((not is_promo)::integer)
        as regular_rate

from sessions
left join purchases using (session_id)
group by 1`;
}

/**
 * Mean daily non-anomalous sessions over the world's last 7 days and over the 7 days two weeks
 * earlier. Users do not know when the data ends, so the two must be close: a collapse in the
 * last days (visits squeezed into the observed span) is the artefact this guards against.
 */
export function endTaperSql(observationEnd: string): string {
  return `
-- Grain: one row (two daily means).
with

daily as (

    select
        cast(sessions.session_start_ts as date) as session_date,
        count(*) as sessions

    from gen.sessions as sessions
    inner join gen.users as users on users.user_id = sessions.user_id
    where not users.anomaly_flag
    group by 1

)

select
    avg(sessions) filter (where session_date > date '${observationEnd}' - 7) as last_7_days,
    avg(sessions) filter (
        where session_date between date '${observationEnd}' - 20 and date '${observationEnd}' - 14
    ) as two_weeks_earlier

from daily`;
}
