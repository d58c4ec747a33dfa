import type { DuckDBConnection } from "@duckdb/node-api";
import { RAW_TABLES, type RawTableName } from "../../contract";

/** A raw row for a fixture: column values by name; omitted columns take `FIXTURE_DEFAULTS`. */
export type FixtureRow = Record<string, string | number | boolean | null>;

/** Defaults that satisfy the contract's not-null columns, so fixtures state only what matters. */
const FIXTURE_DEFAULTS: Record<RawTableName, FixtureRow> = {
  users: {
    device: "Web",
    region: "North",
    marketing_source: "Organic",
    anomaly_flag: false,
    user_type: "B",
  },
  products: { brand: "Acme", price: 10, rating_avg: 4, is_new_arrival: false },
  promo_calendar: { uplift_level: "Medium", discount_rate: 0.2 },
  sessions: { device: "Web", user_type: "B", is_promo: false, discount_rate: 0, promo_id: null },
  events: {
    device: "Web",
    is_promo: false,
    discount_rate: 0,
    promo_id: null,
    order_id: null,
    product_id: null,
  },
  orders: { is_promo: false, discount_rate: 0, promo_id: null },
  order_items: { quantity: 1, is_promo: false, discount_rate: 0 },
  subscriptions: { plan: "Free", end_date: null, status: "Active", monthly_fee: 0 },
  campaign_exposures: { sent_at: null, opened_at: null, blocked_at: null },
};

function literal(value: string | number | boolean | null, type: string): string {
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const quoted = `'${value.replace(/'/g, "''")}'`;
  if (type === "DATE") return `date ${quoted}`;
  if (type === "TIMESTAMP") return `timestamptz ${quoted}`;
  return quoted;
}

/** Inserts fixture rows into `raw.<table>` (created beforehand from the contract). */
export async function insertRawRows(
  connection: DuckDBConnection,
  table: RawTableName,
  rows: readonly FixtureRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const def = RAW_TABLES[table];
  const values = rows.map((row) => {
    const full = { ...FIXTURE_DEFAULTS[table], ...row };
    const cells = def.columns.map((c) => {
      const v = full[c.name];
      if (v === undefined) throw new Error(`Fixture row for ${table} lacks ${c.name}`);
      return literal(v, c.type);
    });
    return `(${cells.join(", ")})`;
  });
  await connection.run(`insert into raw.${table} values ${values.join(",\n")}`);
}
