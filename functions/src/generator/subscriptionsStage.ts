/**
 * Subscriptions: one row per user who has signed up by the as-of day, computed last, from the
 * orders and sessions the user has realised by then. Engagement drives the plan; nothing in the
 * behaviour model reads the plan back (SPEC: an outcome, never a driver).
 */
import { PLANS, SUBSCRIPTION_STATUSES } from "../contract";
import { SUBSCRIPTIONS } from "./params";
import { hashSql, SALT, uniformSql as u } from "./random";
import { dateSql, dbl, doubleList, stringList, type World } from "./world";

/** Rows of `gen.subscriptions` for the batch, as of the end of the date range. */
export function subscriptionsInsertSql(world: World): string {
  const { seed, asOfDay } = world.options;
  const s = SUBSCRIPTIONS;
  const maxOrders = s.paidProbabilityByOrders.length - 1;
  const fees = doubleList(PLANS.map((p) => s.fees[p]));
  return `insert into gen.subscriptions
-- Grain: one row per user signed up by the as-of day.
with

users as (

    select
        user_index,
        user_id,
        signup_day,
        ${hashSql(seed, SALT.subscription, "user_index")} as h1,
        ${hashSql(seed, SALT.subscriptionEnd, "user_index")} as h2

    from gen_batch_users
    where signup_day <= ${asOfDay}

),

last_visits as (

    select
        user_index,
        max(session_day) as last_session_day

    from gen_batch_sessions
    where session_day <= ${asOfDay}
    group by 1

),

order_counts as (

    select
        user_index,
        count(*) as order_count,
        min(order_day) as first_order_day

    from gen_batch_orders
    where order_day <= ${asOfDay}
    group by 1

),

engagement as (

    select
        users.*,
        coalesce(order_counts.order_count, 0) as order_count,
        order_counts.first_order_day,
        coalesce(last_visits.last_session_day, users.signup_day) as last_session_day

    from users
    left join order_counts using (user_index)
    left join last_visits using (user_index)

),

planned as (

    select
        *,
        case
            when ${u("h1", 0)} >= ${doubleList(s.paidProbabilityByOrders)}[least(order_count, ${maxOrders}) + 1] then 0
            when ${u("h1", 1)} < ${doubleList(s.premiumShareOfPaidByOrders)}[least(order_count, ${maxOrders}) + 1] then 2
            else 1
        end as plan_index

    from engagement

),

dated as (

    select
        *,
        case
            when plan_index = 0 then signup_day
            else least(${asOfDay}, coalesce(first_order_day, signup_day)
                + floor(${u("h1", 2)} * ${s.startLagMaxDays + 1})::integer)
        end as start_day,
        plan_index > 0 and last_session_day < ${asOfDay - s.inactiveDays} as has_lapsed

    from planned

),

final as (

    select
        'SUB_' || user_id as subscription_id,
        user_id,
        ${stringList(PLANS)}[plan_index + 1] as plan,
        ${dateSql("start_day")} as start_date,
        case when has_lapsed then ${dateSql(
          `least(${asOfDay}, greatest(start_day, last_session_day + floor(${u("h2", 0)} * ${s.endLagMaxDays + 1})::integer))`,
        )} end as end_date,
        ${stringList(SUBSCRIPTION_STATUSES)}[case
            when not has_lapsed then 1
            when ${u("h2", 1)} < ${dbl(s.cancelledShare)} then 2
            else 3
        end] as status,
        ${fees}[plan_index + 1] as monthly_fee

    from dated

)

select * from final`;
}
