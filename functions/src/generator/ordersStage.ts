/**
 * Orders and their lines: one order per purchase step that falls inside the world, with the
 * discount of the promotion running on the order's day. Lines draw their size from the buyer's
 * type (C carries the heavy tail) and their products from the month's demand.
 */
import { USER_TYPES } from "../contract";
import { DEMAND_BUCKETS } from "./catalog";
import { worldEndSecond } from "./eventsStage";
import { ORDERS, TYPE_BEHAVIOUR } from "./params";
import { hashSql, SALT, uniformSql as u } from "./random";
import {
  byType,
  dateSql,
  dbl,
  doubleList,
  monthSql,
  promoIndexSql,
  promoLists,
  timestampSql,
  type World,
} from "./world";

/** Temp table of every order of the batch inside the world (the date range filters later). */
export function batchOrdersSql(world: World): string {
  return `create or replace temp table gen_batch_orders as
-- Grain: one row per order (one per purchase step) of the batch's users.
with

purchases as (

    select
        *,
        start_sec + offset_purchase as order_sec

    from gen_batch_sessions
    where depth = 5

),

final as (

    select
        user_index,
        user_id,
        seq,
        'O' || session_key as order_id,
        order_sec,
        order_sec // 86400 as order_day,
        ${promoIndexSql(world, "order_sec // 86400")} as promo_index,
        type_index,
        anomaly_kind,
        product_index

    from purchases
    where order_sec < ${worldEndSecond(world)}

)

select * from final`;
}

function inDateRange(world: World, column: string): string {
  return `${column} between ${world.options.rangeStartDay} and ${world.options.rangeEndDay}`;
}

/** Rows of `gen.orders` for order days inside the date range. */
export function ordersInsertSql(world: World): string {
  const promo = promoLists(world);
  return `insert into gen.orders
select
    order_id,
    user_id,
    ${timestampSql("order_sec")} as order_ts,
    promo_index > 0 as is_promo,
    ${promo.discount}[promo_index + 1] as discount_rate,
    ${promo.id}[promo_index + 1] as promo_id

from gen_batch_orders
where ${inDateRange(world, "order_day")}`;
}

/** Rows of `gen.order_items` for orders inside the date range. */
export function orderItemsInsertSql(world: World): string {
  const { seed } = world.options;
  const promo = promoLists(world);
  // ln(rho) of a geometric number of extra lines with the type's mean m: rho = m / (1 + m).
  const logRho = doubleList(
    USER_TYPES.map((t) => {
      const m = TYPE_BEHAVIOUR[t].extraLinesMean;
      return m > 0 ? Math.log(m / (1 + m)) : -1e9;
    }),
  );
  return `insert into gen.order_items
-- Grain: one row per product in an order.
with

orders as (

    select
        *,
        ${hashSql(seed, SALT.orderLines, "user_index", "seq")} as h

    from gen_batch_orders
    where ${inDateRange(world, "order_day")}

),

sized as (

    select
        *,
        case
            when anomaly_kind = 2 then 1
            when ${u("h", 0)} < ${byType("haulProbability")}
                then least(${ORDERS.haulMaxLines}, 3 + floor(pow(${u("h", 1)}, -1 / ${dbl(ORDERS.haulTailIndex)})))
            else 1 + least(${ORDERS.maxExtraLines}, floor(ln(${u("h", 1)}) / ${logRho}[type_index + 1]))
        end::integer as line_count

    from orders

),

lines as (

    select
        *,
        unnest(range(line_count)) as line

    from sized

),

drawn as (

    select
        *,
        ${hashSql(seed, SALT.orderLineDraws, "user_index", "seq", "line")} as hl

    from lines

),

picked as (

    select
        drawn.order_id,
        drawn.user_id,
        drawn.order_day,
        drawn.promo_index,
        drawn.line,
        case when drawn.line = 0 then drawn.product_index else demand.product_index end
            as product_index,
        case
            when drawn.anomaly_kind = 2 then 1
            when ${u("hl", 1)} < ${byType("multiUnitProbability", "drawn.type_index")}
                then least(${ORDERS.maxQuantity}, 2 + floor(ln(${u("hl", 2)}) / ln(1.0 / 3)))
            else 1
        end::bigint as quantity

    from drawn
    inner join gen_product_demand as demand
        on demand.demand_key = ${monthSql(world, "drawn.order_day")} * ${DEMAND_BUCKETS}
            + floor(${u("hl", 0)} * ${DEMAND_BUCKETS})::integer

),

merged as (

    -- The same product drawn twice in one order is one line with the units added up.
    select
        order_id,
        user_id,
        order_day,
        promo_index,
        product_index,
        min(line) as first_line,
        sum(quantity)::bigint as quantity

    from picked
    group by all

),

priced as (

    select
        merged.*,
        products.product_id,
        products.price as unit_price,
        ${promo.discount}[merged.promo_index + 1] as discount_rate,
        row_number() over (partition by merged.order_id order by merged.first_line) as line_number

    from merged
    inner join gen_products as products using (product_index)

),

final as (

    select
        printf('%s-%02d', order_id, line_number) as order_item_id,
        order_id,
        user_id,
        product_id,
        quantity,
        unit_price,
        promo_index > 0 as is_promo,
        discount_rate,
        round(unit_price * (1 - discount_rate), 2) as final_unit_price,
        round(round(unit_price * (1 - discount_rate), 2) * quantity, 2) as line_amount,
        ${dateSql("order_day")} as order_date

    from priced

)

select * from final
-- Day order, as every generated table: the lake writer streams it into day files unsorted.
order by order_date, order_item_id`;
}
