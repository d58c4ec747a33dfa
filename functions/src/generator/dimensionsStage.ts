/**
 * The small tables: products and the promo calendar (contract tables), plus the temp lookups the
 * fact stages join: products by index and the monthly demand buckets.
 */
import { DEMAND_BUCKETS } from "./catalog";
import { dateSql, dbl, str, type World } from "./world";

/** Temp table `gen_products`: catalogue rows by index, with the contract columns. */
export function productsTempSql(world: World): string {
  const rows = world.products.map(
    (p) =>
      `(${p.index}, ${str(p.productId)}, ${str(p.productName)}, ${str(p.category)}, ${str(p.brand)}, ` +
      `${dbl(p.price)}, ${dbl(p.ratingAvg)}, ${p.isNewArrival})`,
  );
  return `create or replace temp table gen_products as
select * from (values ${rows.join(", ")})
    as t(product_index, product_id, product_name, category, brand, price, rating_avg, is_new_arrival)`;
}

/** Temp table `gen_product_demand`: month * DEMAND_BUCKETS + bucket -> product, one row per bucket. */
export function productDemandTempSql(world: World): string {
  const rows = world.demand.map(
    (d) => `(${d.month}, ${d.productIndex}, ${d.firstBucket}, ${d.nextBucket})`,
  );
  return `create or replace temp table gen_product_demand as
with

ranges as (

    select * from (values ${rows.join(", ")})
        as t(month, product_index, first_bucket, next_bucket)

),

buckets as (

    select
        month,
        product_index,
        unnest(range(first_bucket, next_bucket)) as bucket

    from ranges

),

final as (

    select
        (buckets.month * ${DEMAND_BUCKETS} + buckets.bucket)::integer as demand_key,
        buckets.product_index

    from buckets

)

select * from final`;
}

/** Rows of `gen.products`. */
export function productsInsertSql(): string {
  return `insert into gen.products
select product_id, product_name, category, brand, price, rating_avg, is_new_arrival
from gen_products`;
}

/** Rows of `gen.promo_calendar`. */
export function promoCalendarInsertSql(world: World): string {
  if (world.promos.length === 0) return "select 1 where false";
  const rows = world.promos.map(
    (p) =>
      `(${str(p.promoId)}, ${str(p.promoName)}, ${dateSql(String(p.startDay))}, ` +
      `${dateSql(String(p.endDay))}, ${str(p.upliftLevel)}, ${dbl(p.discountRate)})`,
  );
  return `insert into gen.promo_calendar
select * from (values ${rows.join(", ")})
    as t(promo_id, promo_name, start_date, end_date, uplift_level, discount_rate)`;
}
