import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdbColumns, RAW_TABLE_NAMES, RAW_TABLES, type RawTableName } from "../contract";
import { ROWS_TABLE } from "./cleanRows";
import { MAPPING_DEFAULTS, type OrdersMapping } from "./mapping";

/** The raw tables an orders file cannot fill: they stay empty and are recorded as absent. */
export const ABSENT_FROM_ORDERS: readonly RawTableName[] = [
  "promo_calendar",
  "sessions",
  "events",
  "subscriptions",
  "campaign_exposures",
];

/** The one product of a file without product ids. */
export const UNKNOWN_PRODUCT_ID = "ALL";

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Builds the eight contract tables in `schema` (replaced) from the kept rows of
 * `temp.orders_rows`, each with exactly the contract's columns, types and order, inserted in
 * day order as the lake writer expects (like the generator's `gen` schema). Values the file lacks
 * come from the mapping's `defaults`, then `MAPPING_DEFAULTS`; `docs/orders-loader.md` lists
 * them. Returns rows per table.
 */
export async function deriveContract(
  connection: DuckDBConnection,
  mapping: OrdersMapping,
  schema: string,
): Promise<Record<RawTableName, number>> {
  const d = { ...MAPPING_DEFAULTS, ...mapping.defaults };
  const f = mapping.fields;
  const run = (sql: string) => connection.run(sql);
  await run(`drop schema if exists ${schema} cascade`);
  await run(`create schema ${schema}`);
  for (const name of RAW_TABLE_NAMES)
    await run(`create table ${schema}.${name} (\n    ${duckdbColumns(RAW_TABLES[name])}\n)`);

  // One row per kept line with its order: the file's order id, or the customer and the
  // timestamp (a customer's rows at one instant are one basket); the order's time is its
  // earliest line's.
  const orderKey = f.order_id
    ? "order_id"
    : `customer_id || '-' || strftime(order_ts, '%Y%m%d%H%M%S')`;
  const amount = f.unit_price ? "round(unit_price * coalesce(quantity, 1), 2)" : "round(amount, 2)";
  // At order level without a unit price, the per-unit price is the amount over the units,
  // unrounded, so that line_amount stays the file's amount to the cent.
  const perUnit = f.unit_price ? "unit_price" : "round(amount, 2) / coalesce(quantity, 1)";
  await run(`create or replace temp table orders_lines as
    select
        ${orderKey} as order_id,
        customer_id as user_id,
        min(order_ts) over (partition by ${orderKey}) as order_ts,
        coalesce(product_id, ${quote(UNKNOWN_PRODUCT_ID)}) as product_id,
        product_name,
        category,
        channel,
        cast(coalesce(quantity, 1) as bigint) as quantity,
        ${perUnit} as unit_price,
        ${amount} as line_amount,
        _row
    from ${ROWS_TABLE}
    where drop_rule is null`);

  const channel = `case when channel in ('Organic', 'Paid', 'Referral') then channel else ${quote(d.marketing_source)} end`;
  await run(`insert into ${schema}.users
    select
        user_id,
        cast(min(order_ts) as date) as signup_date,
        ${quote(d.user_type)},
        ${quote(d.device)},
        ${quote(d.region)},
        arg_min(${channel}, _row),
        false
    from temp.orders_lines
    group by user_id
    order by signup_date, user_id`);
  await run(`insert into ${schema}.products
    select
        product_id,
        coalesce(arg_min(product_name, _row) filter (where product_name is not null), product_id),
        coalesce(arg_min(category, _row) filter (where category is not null), ${quote(d.category)}),
        ${quote(d.brand)},
        round(median(unit_price), 2),
        ${Number(d.rating_avg)},
        false
    from temp.orders_lines
    group by product_id
    order by product_id`);
  await run(`insert into ${schema}.orders
    select order_id, any_value(user_id), any_value(order_ts), false, 0, null
    from temp.orders_lines
    group by order_id
    order by any_value(order_ts), order_id`);
  await run(`insert into ${schema}.order_items
    select
        order_id || '-' || row_number() over (partition by order_id order by _row),
        order_id,
        user_id,
        product_id,
        quantity,
        unit_price,
        false,
        0,
        unit_price,
        line_amount,
        cast(order_ts as date)
    from temp.orders_lines
    order by order_ts, order_id, _row`);
  await run("drop table temp.orders_lines");

  const counts = {} as Record<RawTableName, number>;
  for (const name of RAW_TABLE_NAMES) {
    const reader = await connection.runAndReadAll(`select count(*) as n from ${schema}.${name}`);
    counts[name] = Number(reader.getRowObjectsJson()[0]!.n);
  }
  return counts;
}
