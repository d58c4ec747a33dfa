-- Grain: one row per cohort_granularity ('week' | 'month') x signup cohort x period_offset.
-- Period k covers days [k * period_days, (k + 1) * period_days - 1] after each user's own signup
-- (7 days for weekly cohorts, 30 for monthly; k up to 120); a user counts towards period k only
-- once its last day is observed (<= @run_date), and is retained in it with a session in it.
-- A return starts on day @cohort_first_return_day: the signup visit (day 0) makes the cohort and
-- is not a return, so period 0 reads "came back within the first week / month" (days 1..6 /
-- 1..29) instead of 1.0 by construction; later periods are whole, so monthly period 3 is SPEC's
-- 90-day retention window (days 90..119).
-- retention_90d / retention_180d are cohort-level (the same on every row of a cohort): the share
-- of the cohort's observed users with a session in days 90..119 / 180..209.
with

user_summary as (

    select * from marts.dm_user_purchase_summary

),

sessions as (

    select * from raw.sessions
    where session_start_ts < timestamp(date_add(@run_date, interval 1 day))

),

user_cohorts as (

    select
        'week' as cohort_granularity,
        date_trunc(signup_date, isoweek) as cohort_start,
        @cohort_week_days as period_days,
        user_id,
        signup_date,
        is_retained_90d,
        is_retained_180d
    from user_summary
    union all
    select
        'month',
        date_trunc(signup_date, month),
        @cohort_month_days,
        user_id,
        signup_date,
        is_retained_90d,
        is_retained_180d
    from user_summary

),

session_days as (

    -- A day with several sessions repeats here; active_periods keeps each period once.
    select
        user_id,
        date(session_start_ts) as session_date

    from sessions

),

active_periods as (

    select distinct
        user_cohorts.cohort_granularity,
        user_cohorts.cohort_start,
        user_cohorts.user_id,
        div(
            date_diff(session_days.session_date, user_cohorts.signup_date, day),
            user_cohorts.period_days
        ) as period_offset

    from user_cohorts
    inner join session_days on user_cohorts.user_id = session_days.user_id
    where date_diff(session_days.session_date, user_cohorts.signup_date, day)
            >= @cohort_first_return_day
        and date_diff(@run_date, user_cohorts.signup_date, day) >= (
            div(
                date_diff(session_days.session_date, user_cohorts.signup_date, day),
                user_cohorts.period_days
            ) + 1
        ) * user_cohorts.period_days - 1

),

active_counts as (

    select
        cohort_granularity,
        cohort_start,
        period_offset,
        count(*) as active_users

    from active_periods
    group by cohort_granularity, cohort_start, period_offset

),

cohort_days as (

    select
        cohort_granularity,
        cohort_start,
        period_days,
        date_diff(@run_date, signup_date, day) as days_since_signup,
        count(*) as users

    from user_cohorts
    group by cohort_granularity, cohort_start, period_days, days_since_signup

),

offsets as (

    select period_offset from unnest(generate_array(0, @cohort_max_period)) as period_offset

),

cohort_offsets as (

    select
        cohort_days.cohort_granularity,
        cohort_days.cohort_start,
        offsets.period_offset,
        sum(cohort_days.users) as cohort_users,
        sum(
            if(
                cohort_days.days_since_signup
                    >= (offsets.period_offset + 1) * cohort_days.period_days - 1,
                cohort_days.users,
                0
            )
        ) as observed_users

    from cohort_days
    cross join offsets
    group by cohort_days.cohort_granularity, cohort_days.cohort_start, offsets.period_offset

),

cohort_retention as (

    select
        cohort_granularity,
        cohort_start,
        safe_divide(countif(is_retained_90d), count(is_retained_90d)) as retention_90d,
        safe_divide(countif(is_retained_180d), count(is_retained_180d)) as retention_180d

    from user_cohorts
    group by cohort_granularity, cohort_start

),

final as (

    select
        cohort_offsets.cohort_granularity,
        cohort_offsets.cohort_start,
        cohort_offsets.period_offset,
        cohort_offsets.cohort_users,
        cohort_offsets.observed_users,
        coalesce(active_counts.active_users, 0) as active_users,
        safe_divide(coalesce(active_counts.active_users, 0), cohort_offsets.observed_users)
            as retention_rate,
        cohort_retention.retention_90d,
        cohort_retention.retention_180d

    from cohort_offsets
    left join active_counts
        on cohort_offsets.cohort_granularity = active_counts.cohort_granularity
        and cohort_offsets.cohort_start = active_counts.cohort_start
        and cohort_offsets.period_offset = active_counts.period_offset
    inner join cohort_retention
        on cohort_offsets.cohort_granularity = cohort_retention.cohort_granularity
        and cohort_offsets.cohort_start = cohort_retention.cohort_start
    where cohort_offsets.observed_users > 0

)

select * from final
