-- Grain: one row per user who signed up on or before @run_date (anomaly-flagged users excluded).
-- The rhythm of the first four weeks (days 0..27 after signup, @rhythm_days): active days, active
-- weeks, and the mean and coefficient of variation (population stddev / mean) of the gaps between
-- active days, with a consistency tier that reads the regularity of the rhythm, not its amount:
--   High = gap CV <= 0.5; Medium = CV <= 1.0; Low = CV > 1.0 (visits in bursts);
--   Sparse = fewer than 3 active days (under two gaps: no rhythm to read).
-- The tier is decided in integers: with n gaps summing to s, with squares summing to q, the CV is
-- sqrt(n * q - s * s) / s, so CV <= c / 100 exactly when 100^2 * (n * q - s * s) <= c^2 * s^2.
-- The tier is null until day 27 is observed, so a recent signup is not classed on a partial window.
with

users as (

    select * from raw.users
    where not anomaly_flag
        and signup_date <= @run_date

),

sessions as (

    select * from raw.sessions
    where session_start_ts < timestamp(date_add(@run_date, interval 1 day))

),

early_active_days as (

    select distinct
        users.user_id,
        date_diff(date(sessions.session_start_ts), users.signup_date, day) as day_offset

    from users
    inner join sessions on users.user_id = sessions.user_id
    where date_diff(date(sessions.session_start_ts), users.signup_date, day)
        between 0 and @rhythm_days - 1

),

early_gaps as (

    select
        user_id,
        day_offset,
        day_offset - lag(day_offset) over (partition by user_id order by day_offset) as gap_days

    from early_active_days

),

early_rhythm as (

    select
        user_id,
        count(*) as active_days,
        count(distinct div(day_offset, 7)) as active_weeks,
        count(gap_days) as gaps,
        sum(gap_days) as gap_sum,
        sum(gap_days * gap_days) as gap_square_sum

    from early_gaps
    group by user_id

),

final as (

    select
        users.user_id,
        users.signup_date,
        users.user_type,
        users.marketing_source,
        date_diff(@run_date, users.signup_date, day) >= @rhythm_days - 1 as is_window_observed,
        coalesce(early_rhythm.active_days, 0) as active_days_28d,
        coalesce(early_rhythm.active_weeks, 0) as active_weeks_28d,
        safe_divide(early_rhythm.gap_sum, early_rhythm.gaps) as mean_gap_days,
        if(
            early_rhythm.gaps >= 2,
            safe_divide(
                sqrt(
                    early_rhythm.gaps * early_rhythm.gap_square_sum
                    - early_rhythm.gap_sum * early_rhythm.gap_sum
                ),
                early_rhythm.gap_sum
            ),
            null
        ) as gap_cv,
        case
            when date_diff(@run_date, users.signup_date, day) < @rhythm_days - 1 then null
            when coalesce(early_rhythm.active_days, 0) < @rhythm_min_active_days then 'Sparse'
            when
                10000 * (
                    early_rhythm.gaps * early_rhythm.gap_square_sum
                    - early_rhythm.gap_sum * early_rhythm.gap_sum
                )
                <= @consistency_high_max_cv_pct * @consistency_high_max_cv_pct
                * early_rhythm.gap_sum * early_rhythm.gap_sum
                then 'High'
            when
                10000 * (
                    early_rhythm.gaps * early_rhythm.gap_square_sum
                    - early_rhythm.gap_sum * early_rhythm.gap_sum
                )
                <= @consistency_medium_max_cv_pct * @consistency_medium_max_cv_pct
                * early_rhythm.gap_sum * early_rhythm.gap_sum
                then 'Medium'
            else 'Low'
        end as consistency_tier

    from users
    left join early_rhythm on users.user_id = early_rhythm.user_id

)

select * from final
