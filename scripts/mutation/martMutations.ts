import type { Mutation } from "./applyMutation";

const m = (file: string, name: string, from: string, to: string): Mutation => ({
  file: `sql/marts/${file}.sql`,
  name,
  from,
  to,
});

/** A mutation of the RFM snapshot, which lives beside its segment map rather than in `marts/`. */
const rfm = (name: string, from: string, to: string): Mutation => ({
  file: "sql/rfm/rfm_daily.sql",
  name,
  from,
  to,
});

/**
 * The mutations `npm run test:mutations` applies to the mart SQL, one at a time. The test suite
 * must fail for each; a survivor is a definition the tests do not pin down. Every mutation here
 * changes the answer on some data: an equivalent rewrite would survive by right and teach nothing.
 */
export const MART_MUTATIONS: readonly Mutation[] = [
  // dm_user_purchase_summary
  m(
    "dm_user_purchase_summary",
    "14-day conversion counts day 14",
    "days_to_first_purchase < @conversion_days_short",
    "days_to_first_purchase <= @conversion_days_short",
  ),
  m(
    "dm_user_purchase_summary",
    "30-day conversion counts day 30",
    "days_to_first_purchase < @conversion_days_long",
    "days_to_first_purchase <= @conversion_days_long",
  ),
  m(
    "dm_user_purchase_summary",
    "180-day LTV counts an order on day 180",
    "signup_date, day) < @ltv_days,",
    "signup_date, day) <= @ltv_days,",
  ),
  m(
    "dm_user_purchase_summary",
    "180-day LTV defined a day before day 180 is observed",
    "day) >= @ltv_days,",
    "day) >= @ltv_days - 1,",
  ),
  m(
    "dm_user_purchase_summary",
    "90-day retention window runs to day 120",
    "and @retention_start_day_early + @retention_window_days - 1\n",
    "and @retention_start_day_early + @retention_window_days\n",
  ),
  m(
    "dm_user_purchase_summary",
    "180-day retention defined before day 209 is observed",
    ">= @retention_start_day_late + @retention_window_days - 1,",
    ">= @retention_start_day_late + @retention_window_days - 2,",
  ),
  m(
    "dm_user_purchase_summary",
    "anomaly-flagged users kept",
    "where not anomaly_flag\n        and signup_date <= @run_date",
    "where signup_date <= @run_date",
  ),
  m(
    "dm_user_purchase_summary",
    "orders after the run date counted",
    "where order_ts < timestamp(date_add(@run_date, interval 1 day))",
    "where order_ts < timestamp(date_add(@run_date, interval 2 day))",
  ),
  m(
    "dm_user_purchase_summary",
    "a cancelled or expired paid plan counts as a paid subscriber",
    " and user_facts.subscription_status = 'Active'",
    "",
  ),
  m(
    "dm_user_purchase_summary",
    "CLTV High cut at P33 (percentile swapped)",
    ">= @cltv_high_min_percentile * (spender_ranks.spenders - 1)",
    ">= @cltv_mid_min_percentile * (spender_ranks.spenders - 1)",
  ),
  m(
    "dm_user_purchase_summary",
    "a spender exactly on the P66 goes down a tier",
    "100 * (spender_ranks.spenders - spender_ranks.rank_desc)\n                >= @cltv_high",
    "100 * (spender_ranks.spenders - spender_ranks.rank_desc)\n                > @cltv_high",
  ),
  m(
    "dm_user_purchase_summary",
    "CLTV tiers cut among every observed user, zeros included",
    "where ltv_180d > 0",
    "where ltv_180d >= 0",
  ),
  m(
    "dm_user_purchase_summary",
    "zero spend is not its own tier",
    "when user_facts.ltv_180d = 0 then 'Zero'",
    "when user_facts.ltv_180d < 0 then 'Zero'",
  ),
  m(
    "dm_user_purchase_summary",
    "first order tie broken by the highest order_id",
    "order by order_ts, order_id)",
    "order by order_ts, order_id desc)",
  ),
  m(
    "dm_user_purchase_summary",
    "gateway line tie broken by the highest product_id",
    "order by order_items.line_amount desc, order_items.product_id",
    "order by order_items.line_amount desc, order_items.product_id desc",
  ),
  m(
    "dm_user_purchase_summary",
    "promo signup from the day after the promo starts",
    "on users.signup_date between promo_calendar.start_date and promo_calendar.end_date",
    "on users.signup_date > promo_calendar.start_date\n        and users.signup_date <= promo_calendar.end_date",
  ),
  // dm_behavior_consistency
  m(
    "dm_behavior_consistency",
    "the rhythm window includes day 28",
    "between 0 and @rhythm_days - 1",
    "between 0 and @rhythm_days",
  ),
  m(
    "dm_behavior_consistency",
    "a CV of exactly 0.5 is not High",
    "<= @consistency_high_max_cv_pct * @consistency_high_max_cv_pct",
    "< @consistency_high_max_cv_pct * @consistency_high_max_cv_pct",
  ),
  m(
    "dm_behavior_consistency",
    "a CV of exactly 1.0 is Low",
    "<= @consistency_medium_max_cv_pct * @consistency_medium_max_cv_pct",
    "< @consistency_medium_max_cv_pct * @consistency_medium_max_cv_pct",
  ),
  m(
    "dm_behavior_consistency",
    "three active days still Sparse",
    "< @rhythm_min_active_days then 'Sparse'",
    "<= @rhythm_min_active_days then 'Sparse'",
  ),
  m(
    "dm_behavior_consistency",
    "the tier given a day before day 27 is observed",
    "when date_diff(@run_date, users.signup_date, day) < @rhythm_days - 1 then null",
    "when date_diff(@run_date, users.signup_date, day) < @rhythm_days - 2 then null",
  ),
  // dm_category_performance
  m(
    "dm_category_performance",
    "the run date's month always partial",
    "\n            and date_trunc(date_add(@run_date, interval 1 day), month)\n            = date_trunc(@run_date, month)",
    "",
  ),
  m(
    "dm_category_performance",
    "the partial month in the category's year share",
    "    from category_months\n    where not is_partial_month\n    group by category, order_year",
    "    from category_months\n    group by category, order_year",
  ),
  m(
    "dm_category_performance",
    "seasonality against the category's own year, not the shop's (trend comes back)",
    "category_months.revenue * shop_years.shop_revenue,\n                shop_months.shop_revenue",
    "category_months.revenue * shop_years.shop_revenue,\n                shop_years.shop_revenue",
  ),
  m(
    "dm_category_performance",
    "year over year compares with 11 months earlier",
    "interval 12 month",
    "interval 11 month",
  ),
  m(
    "dm_category_performance",
    "anomaly-flagged users' sales counted",
    "where not anomaly_flag",
    "where anomaly_flag is not null",
  ),
  // dm_funnel_sessions / dm_funnel_daily
  m(
    "dm_funnel_sessions",
    "the users join turned outer (anomaly sessions kept)",
    "inner join users on sessions.user_id = users.user_id",
    "left join users on sessions.user_id = users.user_id",
  ),
  m(
    "dm_funnel_sessions",
    "events after the run date counted",
    "where event_ts < timestamp(date_add(@run_date, interval 1 day))",
    "where event_ts < timestamp(date_add(@run_date, interval 2 day))",
  ),
  m(
    "dm_funnel_daily",
    "cart-to-checkout over clicks",
    "safe_divide(checkout_sessions, add_to_cart_sessions) as cart_to_checkout_rate",
    "safe_divide(checkout_sessions, click_sessions) as cart_to_checkout_rate",
  ),
  // dm_cohort_retention
  m(
    "dm_cohort_retention",
    "a period counted a day before its last day is observed",
    ">= (offsets.period_offset + 1) * cohort_days.period_days - 1,",
    ">= (offsets.period_offset + 1) * cohort_days.period_days - 2,",
  ),
  m(
    "dm_cohort_retention",
    "a user active on several days of a period counted once per day",
    "active_periods as (\n\n    select distinct\n",
    "active_periods as (\n\n    select\n",
  ),
  m(
    "dm_cohort_retention",
    "period 0 dropped",
    "unnest(generate_array(0, @cohort_max_period))",
    "unnest(generate_array(1, @cohort_max_period))",
  ),
  m(
    "dm_cohort_retention",
    "the signup visit counted as a return",
    ">= @cohort_first_return_day",
    ">= 0",
  ),
  m(
    "dm_cohort_retention",
    "a return on the first day after signup missed",
    ">= @cohort_first_return_day",
    "> @cohort_first_return_day",
  ),
  // dm_ltv_distribution / dm_ltv_lorenz
  m(
    "dm_ltv_distribution",
    "buyers population includes non-buyers",
    "    select 'Buyers', user_groups.* from user_groups\n    where is_buyer_180d\n",
    "    select 'Buyers', user_groups.* from user_groups\n",
  ),
  m(
    "dm_ltv_distribution",
    "P90 column holds the P75 (percentile swapped)",
    "any_value(p90) as ltv_180d_p90",
    "any_value(p75) as ltv_180d_p90",
  ),
  m(
    "dm_ltv_distribution",
    "top 20% counted with floor instead of ceil",
    "div(group_users * @pareto_top_pct + 99, 100)",
    "div(group_users * @pareto_top_pct, 100)",
  ),
  m(
    "dm_ltv_lorenz",
    "Lorenz curve accumulates from the top",
    "order by ltv_180d, user_id\n            rows between",
    "order by ltv_180d desc, user_id\n            rows between",
  ),
  // dm_tradeoff_summary / dm_promo_effect
  m(
    "dm_tradeoff_summary",
    "14-day conversion diluted by users not yet observed 14 days",
    "            countif(days_observed >= @conversion_days_short)\n        ) as conversion_14d",
    "            count(*)\n        ) as conversion_14d",
  ),
  m(
    "dm_tradeoff_summary",
    "users without a consistency tier form a segment",
    "    where consistency_tier is not null\n",
    "",
  ),
  m(
    "dm_promo_effect",
    "restricted mean leaves out those who did not buy in the window",
    "if(is_converted_30d, days_to_first_purchase, @conversion_days_long)",
    "if(is_converted_30d, days_to_first_purchase, null)",
  ),
  m(
    "dm_promo_effect",
    "time to convert includes users not yet observed 30 days",
    "avg(if(is_observed_long and is_converted_30d, days_to_first_purchase, null))",
    "avg(if(is_converted_30d, days_to_first_purchase, null))",
  ),
  // dm_churn_risk
  m(
    "dm_churn_risk",
    "churned at exactly the threshold",
    "buyers.days_since_last_purchase > @churn_after_days as is_churned",
    "buyers.days_since_last_purchase >= @churn_after_days as is_churned",
  ),
  m(
    "dm_churn_risk",
    "Active stops a day early",
    "when buyers.days_since_last_purchase <= @churn_active_max_days then 'Active'",
    "when buyers.days_since_last_purchase < @churn_active_max_days then 'Active'",
  ),
  m(
    "dm_churn_risk",
    "silence equal to the tier P75 put on the reactivation list",
    "            * tier_cycles.upper_gaps\n            > (",
    "            * tier_cycles.upper_gaps\n            >= (",
  ),
  m(
    "dm_churn_risk",
    "P75 position counted over n instead of n - 1",
    "div(@reactivation_cycle_percentile * (tier_buyers - 1), 100) as lower_index",
    "div(@reactivation_cycle_percentile * tier_buyers, 100) as lower_index",
  ),
  // dm_acquisition_quality / dm_rfm_segments
  m(
    "dm_acquisition_quality",
    "gateway conversion conditioned on buying",
    "            dimension = 'first_purchase_category',\n            null,",
    "            false,\n            null,",
  ),
  m(
    "dm_rfm_segments",
    "the segment join turned inner (empty segments vanish)",
    "    left join segment_totals\n",
    "    inner join segment_totals\n",
  ),
  // dm_clv_segments
  m(
    "dm_clv_segments",
    "CLV segments: empty segments vanish (the segment join turned inner)",
    "    left join segment_totals\n",
    "    inner join segment_totals\n",
  ),
  m(
    "dm_clv_segments",
    "CLV segments: one-time buyers counted as repeat buyers",
    "countif(frequency > 0) as repeat_buyers",
    "countif(frequency >= 0) as repeat_buyers",
  ),
  m(
    "dm_clv_segments",
    "CLV segments: repeat buyers' P(alive) averaged over every buyer",
    "avg(if(frequency > 0, p_alive, null))",
    "avg(if(frequency >= 0, p_alive, null))",
  ),
  m(
    "dm_clv_segments",
    "CLV segments: the highest P(alive) instead of the mean",
    "avg(p_alive) as mean_p_alive,",
    "max(p_alive) as mean_p_alive,",
  ),
  m(
    "dm_clv_segments",
    "CLV segments: 180-day value per repeat buyer instead of per buyer",
    "safe_divide(segment_totals.predicted_clv_180d, segment_totals.buyers)",
    "safe_divide(segment_totals.predicted_clv_180d, segment_totals.repeat_buyers)",
  ),
  m(
    "dm_clv_segments",
    "CLV segments: the 365-day value is the 180-day one",
    "sum(predicted_clv_365d) as predicted_clv_365d",
    "sum(predicted_clv_180d) as predicted_clv_365d",
  ),
  // dm_kpi_daily
  m(
    "dm_kpi_daily",
    "WAU over eight days",
    "date_add(active_date, interval @active_week_days day),",
    "date_add(active_date, interval @active_week_days + 1 day),",
  ),
  m(
    "dm_kpi_daily",
    "MAU not cut at the next active day (a user counted twice)",
    "            date_add(active_date, interval @active_month_days day),\n            coalesce(next_active_date, date '9999-12-31')",
    "            date_add(active_date, interval @active_month_days day),\n            date '9999-12-31'",
  ),
  m(
    "dm_kpi_daily",
    "anomaly users counted as active",
    "    select * from raw.users\n    where not anomaly_flag\n",
    "    select * from raw.users\n",
  ),
  m(
    "dm_kpi_daily",
    "the first days' trailing window reads no earlier sessions",
    "timestamp(date_sub(@from_date, interval @active_month_days day))",
    "timestamp(@from_date)",
  ),
  m(
    "dm_kpi_daily",
    "a day with sessions and no order converts at null",
    "safe_divide(coalesce(day_orders.orders, 0), day_sessions.sessions)",
    "safe_divide(day_orders.orders, day_sessions.sessions)",
  ),
  m(
    "dm_kpi_daily",
    "revenue taken from the orders' day of an earlier line",
    "        order_items.order_date as kpi_date,",
    "        date_sub(order_items.order_date, interval 1 day) as kpi_date,",
  ),
  // dm_campaign_users / dm_campaign_summary / dm_campaign_roi
  m(
    "dm_campaign_users",
    "7-day reactivation counts an order on day 7",
    "countif(day_offset < @campaign_window_days_short) > 0 as has_order_short",
    "countif(day_offset <= @campaign_window_days_short) > 0 as has_order_short",
  ),
  m(
    "dm_campaign_users",
    "28-day window runs to day 28",
    "        < date_add(exposures.campaign_date, interval @campaign_window_days_long day)\n\n),",
    "        <= date_add(exposures.campaign_date, interval @campaign_window_days_long day)\n\n),",
  ),
  m(
    "dm_campaign_users",
    "28-day reactivation defined a day before day 27 is observed",
    "            observed.days_observed >= @campaign_window_days_long,\n            order_outcomes.user_id is not null,",
    "            observed.days_observed >= @campaign_window_days_long - 1,\n            order_outcomes.user_id is not null,",
  ),
  m(
    "dm_campaign_users",
    "in-category reactivation reads any category",
    "logical_or(products.category = exposures.category) as has_line_in_category",
    "count(*) > 0 as has_line_in_category",
  ),
  m(
    "dm_campaign_users",
    "anomaly-flagged users kept among the campaign's users",
    "    select user_id, user_type from raw.users\n    where not anomaly_flag\n",
    "    select user_id, user_type from raw.users\n",
  ),
  m(
    "dm_campaign_users",
    "campaigns after the run date read",
    "    select * from raw.campaign_exposures\n    where campaign_date <= @run_date\n",
    "    select * from raw.campaign_exposures\n",
  ),
  m(
    "dm_campaign_summary",
    "a block rate on the threshold fails the guardrail",
    "100 * countif(is_blocked) <= @guardrail_block_rate_max_pct * countif(is_sent)",
    "100 * countif(is_blocked) < @guardrail_block_rate_max_pct * countif(is_sent)",
  ),
  m(
    "dm_campaign_summary",
    "block rate over every user, not the messaged",
    "safe_divide(countif(is_blocked), countif(is_sent)) as block_rate",
    "safe_divide(countif(is_blocked), count(*)) as block_rate",
  ),
  m(
    "dm_campaign_summary",
    "unobserved users counted as not reactivated",
    "avg(cast(is_reactivated_28d as int64)) as reactivation_rate_28d",
    "avg(coalesce(cast(is_reactivated_28d as int64), 0)) as reactivation_rate_28d",
  ),
  m(
    "dm_campaign_summary",
    "no pooled 'All campaigns' rows",
    "unnest([false, true]) as is_pooled",
    "unnest([false]) as is_pooled",
  ),
  m(
    "dm_campaign_roi",
    "blocked users counted as reachable",
    "    where blocked_users.user_id is null\n",
    "\n",
  ),
  m(
    "dm_campaign_roi",
    "uplift measured on users whose window is not yet observed",
    "    from marts.dm_campaign_users\n    where is_reactivated_28d is not null\n",
    "    from marts.dm_campaign_users\n",
  ),
  m(
    "dm_campaign_roi",
    "a negative expected revenue lowers the cost",
    "            when expected_incremental_revenue > 0 then expected_incremental_revenue\n            else 0\n",
    "            else expected_incremental_revenue\n",
  ),
  // rfm_daily: one query takes a range's month-end snapshots (a bulk run), or one date's.
  rfm(
    "rfm_daily: month-end snapshots a day early",
    "where snapshot_date = last_day(snapshot_date)",
    "where snapshot_date = date_sub(last_day(snapshot_date), interval 1 day)",
  ),
  rfm(
    "rfm_daily: an order on the snapshot day left out",
    "inner join orders on date(orders.order_ts) <= snapshot_dates.snapshot_date",
    "inner join orders on date(orders.order_ts) < snapshot_dates.snapshot_date",
  ),
  rfm(
    "rfm_daily: P75 over every date of the range",
    "percentile_cont(monetary, 0.75) over (partition by snapshot_date)",
    "percentile_cont(monetary, 0.75) over ()",
  ),
  rfm(
    "rfm_daily: recency counted to the range's last day",
    "when date_diff(buyers.snapshot_date, buyers.last_purchase_date, day) <= 180 then 4",
    "when date_diff(@snapshot_date, buyers.last_purchase_date, day) <= 180 then 4",
  ),
  rfm(
    "rfm_daily: thresholds of another date",
    "        on buyers.snapshot_date = thresholds.snapshot_date\n        and buyers.user_id",
    "        on buyers.user_id",
  ),
];
