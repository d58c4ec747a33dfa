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
    schedule: signupSchedule(options.seed, options.users, options.startDay, options.endDay, promos),
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

/** SQL for the promotion running on a day number: its 1-based position in the calendar, or 0. */
export function promoIndexSql(world: World, day: string): string {
  if (world.promos.length === 0) return "0";
  const branches = world.promos.map(
    (p, i) => `when ${day} between ${p.startDay} and ${p.endDay} then ${i + 1}`,
  );
  return `(case ${branches.join(" ")} else 0 end)`;
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
