import type { DuckDBConnection } from "@duckdb/node-api";
import { DuckDbWarehouse } from "../../backends/duckdbWarehouse";
import type { Corruption } from "./corruptions";
import {
  RAW_TABLE_LIST,
  RAW_TABLES,
  RawTableName,
  TableDef,
  duckdbCreateTable,
} from "../../contract";

/** A raw row as written in the fixture: dates as `YYYY-MM-DD`, timestamps as ISO strings in UTC. */
export type FixtureRow = Record<string, string | number | boolean | null>;

/** Discount of each fixture promotion, used to fill promo attributes consistently. */
const PROMOS: Record<string, number> = { PR1: 0.15, PR2: 0.1 };

/**
 * A tiny shop that satisfies every data-quality check: three users (one an anomaly), three
 * products, two promotions, five sessions and the funnel events of each, three orders with four
 * lines, one subscription per user, one campaign exposure. Small enough to read, and it touches the edges the checks
 * care about: a session crossing midnight, checkout and purchase at the same instant, a promo
 * session that stops after a click, a purchase with a null product, an order with two lines.
 */
export const FIXTURE_SHOP: Readonly<Record<RawTableName, readonly FixtureRow[]>> = {
  users: [
    u("U001", "2024-01-01", "A", "iOS", "North", "Organic", false),
    u("U002", "2024-01-05", "B", "Web", "South", "Paid", false),
    u("U003", "2024-01-10", "C", "Android", "East", "Referral", true),
  ],
  products: [
    p("P01", "Trail Runner", "Shoes", "Northway", 19.99, 4.4, false),
    p("P02", "Cotton Socks", "Apparel", "Basics", 5, 3.9, true),
    p("P03", "Rain Jacket", "Apparel", "Northway", 100, 4.8, false),
  ],
  promo_calendar: [
    {
      promo_id: "PR1",
      promo_name: "New Year",
      start_date: "2024-01-03",
      end_date: "2024-01-05",
      uplift_level: "High",
      discount_rate: 0.15,
    },
    {
      promo_id: "PR2",
      promo_name: "February Days",
      start_date: "2024-02-01",
      end_date: "2024-02-10",
      uplift_level: "Low",
      discount_rate: 0.1,
    },
  ],
  sessions: [
    s("S001", "U001", "2024-01-02T10:00:00Z", "A", "iOS", null),
    s("S002", "U001", "2024-01-04T09:00:00Z", "A", "iOS", "PR1"),
    s("S003", "U002", "2024-01-05T12:00:00Z", "B", "Web", "PR1"),
    s("S004", "U003", "2024-01-10T23:50:00Z", "C", "Android", null),
    s("S005", "U002", "2024-02-03T08:00:00Z", "B", "Web", "PR2"),
  ],
  events: [
    e("E001", "S001", "U001", "2024-01-02T10:00:00Z", "view", "iOS", "P01", null, null),
    e("E002", "S001", "U001", "2024-01-02T10:01:00Z", "click", "iOS", "P01", null, null),
    e("E003", "S001", "U001", "2024-01-02T10:02:00Z", "add_to_cart", "iOS", "P01", null, null),
    e("E004", "S001", "U001", "2024-01-02T10:03:00Z", "checkout", "iOS", null, null, null),
    e("E005", "S001", "U001", "2024-01-02T10:04:00Z", "purchase", "iOS", null, "O001", null),
    e("E006", "S002", "U001", "2024-01-04T09:00:00Z", "view", "iOS", "P02", null, "PR1"),
    e("E007", "S002", "U001", "2024-01-04T09:02:00Z", "click", "iOS", "P02", null, "PR1"),
    e("E008", "S003", "U002", "2024-01-05T12:00:00Z", "view", "Web", "P01", null, "PR1"),
    e("E009", "S003", "U002", "2024-01-05T12:01:00Z", "view", "Web", "P02", null, "PR1"),
    e("E010", "S003", "U002", "2024-01-05T12:02:00Z", "click", "Web", "P02", null, "PR1"),
    e("E011", "S003", "U002", "2024-01-05T12:03:00Z", "add_to_cart", "Web", "P01", null, "PR1"),
    e("E012", "S003", "U002", "2024-01-05T12:03:30Z", "add_to_cart", "Web", "P02", null, "PR1"),
    e("E013", "S003", "U002", "2024-01-05T12:05:00Z", "checkout", "Web", null, null, "PR1"),
    e("E014", "S003", "U002", "2024-01-05T12:05:00Z", "purchase", "Web", null, "O002", "PR1"),
    e("E015", "S004", "U003", "2024-01-11T00:05:00Z", "view", "Android", "P03", null, null),
    e("E016", "S005", "U002", "2024-02-03T08:00:00Z", "view", "Web", "P03", null, "PR2"),
    e("E017", "S005", "U002", "2024-02-03T08:04:00Z", "click", "Web", "P03", null, "PR2"),
    e("E018", "S005", "U002", "2024-02-03T08:06:00Z", "add_to_cart", "Web", "P03", null, "PR2"),
    e("E019", "S005", "U002", "2024-02-03T08:08:00Z", "checkout", "Web", null, null, "PR2"),
    e("E020", "S005", "U002", "2024-02-03T08:10:00Z", "purchase", "Web", "P03", "O003", "PR2"),
  ],
  orders: [
    o("O001", "U001", "2024-01-02T10:04:00Z", null),
    o("O002", "U002", "2024-01-05T12:05:00Z", "PR1"),
    o("O003", "U002", "2024-02-03T08:10:00Z", "PR2"),
  ],
  order_items: [
    oi("OI001", "O001", "U001", "P01", 2, 19.99, 0, 19.99, 39.98, "2024-01-02"),
    oi("OI002", "O002", "U002", "P01", 1, 19.99, 0.15, 16.99, 16.99, "2024-01-05"),
    oi("OI003", "O002", "U002", "P02", 3, 5, 0.15, 4.25, 12.75, "2024-01-05"),
    oi("OI004", "O003", "U002", "P03", 1, 100, 0.1, 90, 90, "2024-02-03"),
  ],
  subscriptions: [
    sub("U001", "Free", "2024-01-01", null, "Active", 0),
    sub("U002", "Plus", "2024-01-05", null, "Active", 9.99),
    sub("U003", "Free", "2024-01-10", "2024-01-31", "Expired", 0),
  ],
  // U002 (orders on Jan 5 and Feb 3: a 29-day cycle, the only one of tier '2') has been silent
  // 35 days on Mar 9, the day before the campaign: on the reactivation list. U001 has one order.
  campaign_exposures: [
    {
      exposure_id: "RC2024-03-U002",
      campaign_id: "RC2024-03",
      campaign_date: "2024-03-10",
      user_id: "U002",
      experiment_group: "treatment",
      purchase_count_tier: "2",
      category: "Apparel",
      sent_at: "2024-03-10T10:05:00Z",
      opened_at: "2024-03-10T11:30:00Z",
      blocked_at: null,
    },
  ],
};

function promo(promoId: string | null): FixtureRow {
  return {
    is_promo: promoId !== null,
    discount_rate: promoId === null ? 0 : PROMOS[promoId]!,
    promo_id: promoId,
  };
}

function u(
  user_id: string,
  signup_date: string,
  user_type: string,
  device: string,
  region: string,
  marketing_source: string,
  anomaly_flag: boolean,
): FixtureRow {
  return { user_id, signup_date, user_type, device, region, marketing_source, anomaly_flag };
}

function p(
  product_id: string,
  product_name: string,
  category: string,
  brand: string,
  price: number,
  rating_avg: number,
  is_new_arrival: boolean,
): FixtureRow {
  return { product_id, product_name, category, brand, price, rating_avg, is_new_arrival };
}

function s(
  session_id: string,
  user_id: string,
  session_start_ts: string,
  user_type: string,
  device: string,
  promoId: string | null,
): FixtureRow {
  return { session_id, user_id, session_start_ts, user_type, device, ...promo(promoId) };
}

function e(
  event_id: string,
  session_id: string,
  user_id: string,
  event_ts: string,
  event_type: string,
  device: string,
  product_id: string | null,
  order_id: string | null,
  promoId: string | null,
): FixtureRow {
  const attrs = promo(promoId);
  return {
    event_id,
    user_id,
    event_ts,
    event_type,
    session_id,
    device,
    order_id,
    product_id,
    ...attrs,
  };
}

function o(
  order_id: string,
  user_id: string,
  order_ts: string,
  promoId: string | null,
): FixtureRow {
  return { order_id, user_id, order_ts, ...promo(promoId) };
}

function oi(
  order_item_id: string,
  order_id: string,
  user_id: string,
  product_id: string,
  quantity: number,
  unit_price: number,
  discount_rate: number,
  final_unit_price: number,
  line_amount: number,
  order_date: string,
): FixtureRow {
  return {
    order_item_id,
    order_id,
    user_id,
    product_id,
    quantity,
    unit_price,
    is_promo: discount_rate > 0,
    discount_rate,
    final_unit_price,
    line_amount,
    order_date,
  };
}

function sub(
  user_id: string,
  plan: string,
  start_date: string,
  end_date: string | null,
  status: string,
  monthly_fee: number,
): FixtureRow {
  return {
    subscription_id: `SUB_${user_id}`,
    user_id,
    plan,
    start_date,
    end_date,
    status,
    monthly_fee,
  };
}

function literal(value: FixtureRow[string]): string {
  if (value === null) return "null";
  if (typeof value === "string") return `'${value.replace(/'/g, "''")}'`;
  return String(value);
}

/** `insert into <schema>.<table>` for fixture rows, in the contract's column order. */
export function insertRowsSql(
  table: TableDef,
  rows: readonly FixtureRow[],
  schema = "raw",
): string {
  const names = table.columns.map((c) => c.name);
  const values = rows.map((row) => {
    const missing = names.filter((n) => !(n in row));
    if (missing.length > 0) throw new Error(`Fixture row for ${table.name} lacks ${missing}`);
    return `(${names.map((n) => literal(row[n]!)).join(", ")})`;
  });
  return `insert into ${schema}.${table.name} (${names.join(", ")}) values\n${values.join(",\n")}`;
}

/** Creates the raw tables from the contract DDL and loads the fixture shop into them. */
export async function loadFixtureShop(connection: DuckDBConnection, schema = "raw"): Promise<void> {
  await connection.run(`create schema if not exists ${schema}`);
  for (const def of RAW_TABLE_LIST) {
    await connection.run(duckdbCreateTable(def, schema));
    await connection.run(insertRowsSql(def, FIXTURE_SHOP[def.name], schema));
  }
}

/**
 * Rebuilds a table without its primary-key constraint. BigQuery does not enforce keys, so a
 * duplicate key is a real possibility there; DuckDB would refuse the insert, which is why a test
 * that plants a duplicate first drops the constraint this way.
 */
export async function dropPrimaryKey(
  connection: DuckDBConnection,
  table: RawTableName,
  schema = "raw",
) {
  const def = RAW_TABLES[table];
  await connection.run(`create table ${schema}.${table}__copy as select * from ${schema}.${table}`);
  await connection.run(`drop table ${schema}.${table}`);
  await connection.run(`alter table ${schema}.${table}__copy rename to ${def.name}`);
}

/** An in-memory warehouse holding the fixture shop, broken the given way if any. */
export async function fixtureWarehouse(corruption?: Corruption): Promise<DuckDbWarehouse> {
  const warehouse = await DuckDbWarehouse.open({ path: ":memory:", threads: 1 });
  await loadFixtureShop(warehouse.connection);
  if (corruption?.withoutPrimaryKey) {
    await dropPrimaryKey(warehouse.connection, corruption.withoutPrimaryKey);
  }
  for (const sql of corruption?.sql ?? []) await warehouse.connection.run(sql);
  return warehouse;
}
