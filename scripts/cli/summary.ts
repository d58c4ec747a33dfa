import { RAW_TABLE_NAMES, type RawTableName } from "../../functions/src/contract";
import type { Warehouse } from "../../functions/src/backends/types";
import { FUNNEL_TARGETS } from "../../functions/src/generator/params";
import { MARTS } from "../../functions/src/marts/catalog";

/** The business question at a glance: short-term conversion against long-term value, per type. */
export interface UserTypeKpis {
  readonly user_type: string;
  readonly users: number;
  /** First purchase in days 0..13, among users observed for 14 days. */
  readonly conversion_14d: number | null;
  /** First purchase in days 0..29, among users observed for 30 days. */
  readonly conversion_30d: number | null;
  /** Mean revenue within 180 days of signup, among users observed for 180 days. */
  readonly mean_ltv_180d: number | null;
  /** Share with a session in days 90..119, among users observed to day 119. */
  readonly retention_90d: number | null;
}

/** From the user purchase summary mart, so the summary shows what the marts say. */
export const KPIS_FROM_MART_SQL = `-- Grain: one row per user type (the mart already excludes anomaly-flagged users).
select
    user_type,
    count(*) as users,
    safe_divide(
        countif(days_observed >= 14 and is_converted_14d), countif(days_observed >= 14)
    ) as conversion_14d,
    safe_divide(
        countif(days_observed >= 30 and is_converted_30d), countif(days_observed >= 30)
    ) as conversion_30d,
    avg(ltv_180d) as mean_ltv_180d,
    safe_divide(countif(is_retained_90d), count(is_retained_90d)) as retention_90d

from marts.dm_user_purchase_summary
group by user_type
order by user_type
`;

/** The same figures straight from raw, by SPEC's definitions, for when the mart does not exist. */
export const KPIS_FROM_RAW_SQL = `-- Grain: one row per user type (anomaly-flagged users excluded).
with

users as (

    select * from raw.users
    where not anomaly_flag
        and signup_date <= @run_date

),

first_orders as (

    select
        user_id,
        min(order_ts) as first_order_at

    from raw.orders
    where order_ts < timestamp(date_add(@run_date, interval 1 day))
    group by user_id

),

revenue_180d as (

    select
        users.user_id,
        sum(order_items.line_amount) as revenue

    from raw.order_items
    inner join users on order_items.user_id = users.user_id
    where order_items.order_date < date_add(users.signup_date, interval 180 day)
    group by users.user_id

),

sessions_90_119 as (

    select distinct
        sessions.user_id

    from raw.sessions
    inner join users on sessions.user_id = users.user_id
    where sessions.session_start_ts < timestamp(date_add(@run_date, interval 1 day))
        and date_diff(date(sessions.session_start_ts), users.signup_date, day) between 90 and 119

),

user_facts as (

    select
        users.user_type,
        date_diff(@run_date, users.signup_date, day) + 1 as days_observed,
        date_diff(date(first_orders.first_order_at), users.signup_date, day)
            as days_to_first_purchase,
        if(
            date_add(users.signup_date, interval 180 day) <= @run_date,
            coalesce(revenue_180d.revenue, 0),
            null
        ) as ltv_180d,
        if(
            date_add(users.signup_date, interval 119 day) <= @run_date,
            sessions_90_119.user_id is not null,
            null
        ) as is_retained_90d

    from users
    left join first_orders on users.user_id = first_orders.user_id
    left join revenue_180d on users.user_id = revenue_180d.user_id
    left join sessions_90_119 on users.user_id = sessions_90_119.user_id

),

final as (

    select
        user_type,
        count(*) as users,
        safe_divide(
            countif(days_observed >= 14 and days_to_first_purchase < 14),
            countif(days_observed >= 14)
        ) as conversion_14d,
        safe_divide(
            countif(days_observed >= 30 and days_to_first_purchase < 30),
            countif(days_observed >= 30)
        ) as conversion_30d,
        avg(ltv_180d) as mean_ltv_180d,
        safe_divide(countif(is_retained_90d), count(is_retained_90d)) as retention_90d

    from user_facts
    group by user_type

)

select * from final
order by user_type
`;

/** The KPIs' query: from the mart when the marts build it, else from raw. */
const kpisSql = () =>
  MARTS.some((m) => m.name === "dm_user_purchase_summary") ? KPIS_FROM_MART_SQL : KPIS_FROM_RAW_SQL;

/** Conversion, LTV and retention per user type: from the mart when the marts build it, else raw. */
export function userTypeKpis(warehouse: Warehouse, runDate: string): Promise<UserTypeKpis[]> {
  return warehouse.query<UserTypeKpis>(kpisSql(), { run_date: { date: runDate } });
}

/** The texts the summary sends, for translating ahead (`scripts/laterStages.ts`). */
export function summaryQueryTexts(): string[] {
  return [kpisSql(), FUNNEL_FROM_MART_SQL];
}

/**
 * The funnel where analysts look first, over every day of the funnel mart (which excludes
 * anomaly-flagged users): the shares a believable shop keeps inside published ranges.
 */
export interface FunnelRates {
  readonly sessions: number;
  /** Sessions that opened at least one product page, over all sessions. */
  readonly view_rate: number | null;
  /** Sessions with an add to cart, over sessions that viewed a product. */
  readonly add_to_cart_of_viewing: number | null;
  /** Sessions with a purchase, over sessions with an add to cart. */
  readonly purchase_of_carts: number | null;
  /** Sessions with a purchase, over all sessions. */
  readonly session_conversion: number | null;
}

/** From `dm_funnel_daily`, summed over its days, so the summary shows what the mart says. */
export const FUNNEL_FROM_MART_SQL = `-- Grain: one row, every day of the mart summed.
select
    cast(sum(sessions) as int64) as sessions,
    safe_divide(sum(view_sessions), sum(sessions)) as view_rate,
    safe_divide(sum(add_to_cart_sessions), sum(view_sessions)) as add_to_cart_of_viewing,
    safe_divide(sum(purchase_sessions), sum(add_to_cart_sessions)) as purchase_of_carts,
    safe_divide(sum(purchase_sessions), sum(sessions)) as session_conversion

from marts.dm_funnel_daily
`;

/** The funnel rates of the warehouse's marts. */
export async function funnelRates(warehouse: Warehouse): Promise<FunnelRates | undefined> {
  const [rates] = await warehouse.query<FunnelRates>(FUNNEL_FROM_MART_SQL);
  return rates;
}

export interface RunSummary {
  readonly rows: Partial<Record<RawTableName, number>>;
  readonly kpis: readonly UserTypeKpis[];
  /** The funnel's headline rates, when the funnel mart was built. */
  readonly funnel?: FunnelRates;
  /** Seconds per stage, in the order they ran. */
  readonly seconds: readonly (readonly [string, number])[];
  readonly lake: string;
  readonly warehouse: string;
}

/** The closing report of `npm start`: short enough to read at a glance. */
export function formatSummary(summary: RunSummary): string {
  const count = (n: number) => n.toLocaleString("en-US");
  const pct = (v: number | null) => (v === null ? "-" : `${(v * 100).toFixed(1)}%`);
  const money = (v: number | null) => (v === null ? "-" : v.toFixed(2));
  const total = summary.seconds.reduce((s, [, v]) => s + v, 0);
  const lines = [
    "",
    "Rows per raw table",
    ...RAW_TABLE_NAMES.map((t) => `  ${t.padEnd(16)}${count(summary.rows[t] ?? 0).padStart(12)}`),
    "",
    "Per user type    users   conv 14d   conv 30d   LTV 180d (mean)   retained 90d",
    ...summary.kpis.map(
      (k) =>
        `  ${k.user_type.padEnd(10)}${count(k.users).padStart(9)}${pct(k.conversion_14d).padStart(11)}` +
        `${pct(k.conversion_30d).padStart(11)}${money(k.mean_ltv_180d).padStart(18)}${pct(k.retention_90d).padStart(15)}`,
    ),
    ...(summary.funnel ? ["", ...formatFunnel(summary.funnel)] : []),
    "",
    "Seconds per stage",
    ...summary.seconds.map(([stage, s]) => `  ${stage.padEnd(16)}${s.toFixed(2).padStart(8)}`),
    `  ${"total".padEnd(16)}${total.toFixed(2).padStart(8)}`,
    "",
    `Lake: ${summary.lake}`,
    `Warehouse: ${summary.warehouse} (schemas raw, marts, snapshots)`,
  ];
  return lines.join("\n");
}

/** The funnel lines of the summary: each rate beside the published range it is tuned to. */
function formatFunnel(funnel: FunnelRates): string[] {
  const pct = (v: number | null, digits = 1) =>
    v === null ? "-" : `${(v * 100).toFixed(digits)}%`;
  const range = (r: { min: number; max: number }) =>
    `${Math.round(r.min * 100)}-${Math.round(r.max * 100)}%`;
  const line = (label: string, rate: string, target = "") =>
    `  ${label.padEnd(34)}${rate.padStart(7)}${target ? `   ${target}` : ""}`.trimEnd();
  return [
    `${`Funnel (${funnel.sessions.toLocaleString("en-US")} sessions)`.padEnd(36)}${"rate".padStart(7)}   published range`,
    line("sessions viewing a product", pct(funnel.view_rate)),
    line(
      "add to cart, of viewing sessions",
      pct(funnel.add_to_cart_of_viewing),
      range(FUNNEL_TARGETS.addToCartOfViewingSessions),
    ),
    line(
      "purchase, of sessions with a cart",
      pct(funnel.purchase_of_carts),
      range(FUNNEL_TARGETS.purchaseOfCartSessions),
    ),
    line(
      "session conversion",
      pct(funnel.session_conversion, 2),
      range(FUNNEL_TARGETS.sessionConversion),
    ),
  ];
}
