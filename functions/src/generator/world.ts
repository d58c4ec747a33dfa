/**
 * The small, JS-computed part of a world (calendar, catalogue) and the SQL fragments every stage
 * renders from it, so each stage module only writes its own query.
 */
import { USER_TYPES } from "../contract";
import { buildCatalog, demandBuckets, type DemandBucketRange, type Product } from "./catalog";
import { promoCalendar, signupSchedule, type Promo, type SignupDay } from "./calendar";
import type { ResolvedOptions } from "./options";
import { TYPE_BEHAVIOUR, type TypeBehaviour } from "./params";

export interface World {
  options: ResolvedOptions;
  promos: Promo[];
  schedule: SignupDay[];
  products: Product[];
  demand: DemandBucketRange[];
}

/** Builds the JS side of the world; everything else is SQL. */
export function buildWorld(options: ResolvedOptions): World {
  const promos = promoCalendar(options.seed, options.startDay, options.endDay);
  const products = buildCatalog(options.seed);
  return {
    options,
    promos,
    schedule: signupSchedule(options.seed, options.users, options.startDay, options.endDay),
    products,
    demand: demandBuckets(products),
  };
}

/** A DOUBLE literal (a bare `0.1` is DECIMAL in DuckDB, which would change arithmetic). */
export function dbl(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return `${value}::double`;
}

/** A VARCHAR literal. */
export function str(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A DOUBLE[] list literal. */
export function doubleList(values: readonly number[]): string {
  return `([${values.map((v) => String(v)).join(", ")}]::double[])`;
}

/** A VARCHAR[] list literal; `null` entries stay NULL. */
export function stringList(values: readonly (string | null)[]): string {
  return `([${values.map((v) => (v === null ? "null" : str(v))).join(", ")}]::varchar[])`;
}

/** SQL for a per-type parameter of `TYPE_BEHAVIOUR`, indexed by a 0-based type index column. */
export function byType(key: keyof TypeBehaviour, typeIndex = "type_index"): string {
  return `${doubleList(USER_TYPES.map((t) => TYPE_BEHAVIOUR[t][key]))}[${typeIndex} + 1]`;
}

/**
 * SQL that looks a day number up in a constant list with one entry per day of the world (plus
 * the day after, where late events of the last evening land before they are filtered out). A
 * list lookup costs far less per row than a CASE or a date function over millions of rows.
 */
function dayLookupSql(world: World, day: string, valueOf: (day: number) => number): string {
  const values: number[] = [];
  for (let d = world.options.startDay; d <= world.options.endDay + 1; d++) values.push(valueOf(d));
  return `([${values.join(", ")}])[${day} - ${world.options.startDay - 1}]`;
}

/** SQL for the promotion running on a day number: its 1-based position in the calendar, or 0. */
export function promoIndexSql(world: World, day: string): string {
  return dayLookupSql(
    world,
    day,
    (d) => world.promos.findIndex((p) => d >= p.startDay && d <= p.endDay) + 1,
  );
}

/** SQL for the calendar month (1..12) of a day number. */
export function monthSql(world: World, day: string): string {
  return dayLookupSql(world, day, (d) => new Date(d * 86_400_000).getUTCMonth() + 1);
}

/** SQL lists indexed by `promo_index + 1` (entry 1 = no promotion). */
export function promoLists(world: World): { id: string; discount: string; liftShare: string } {
  return {
    id: stringList([null, ...world.promos.map((p) => p.promoId)]),
    discount: doubleList([0, ...world.promos.map((p) => p.discountRate)]),
    liftShare: doubleList([0, ...world.promos.map((p) => p.liftShare)]),
  };
}

/** SQL for a timestamp (TIMESTAMPTZ) from epoch seconds. */
export function timestampSql(seconds: string): string {
  return `to_timestamp(${seconds})`;
}

/** SQL for a DATE from a day number. */
export function dateSql(day: string): string {
  return `(date '1970-01-01' + (${day})::integer)`;
}

/** SQL for the user id of a 0-based user index: `U` and the 1-based index, zero-padded to 7. */
export function userIdSql(userIndex: string): string {
  return `printf('U%07d', ${userIndex} + 1)`;
}

/** SQL for the product id of a 0-based product index (a constant-list lookup, no join). */
export function productIdSql(world: World, productIndex: string): string {
  return `${stringList(world.products.map((p) => p.productId))}[${productIndex} + 1]`;
}
