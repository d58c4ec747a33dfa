import type { DuckDBConnection } from "@duckdb/node-api";
import { queryRows } from "../../warehouse/duckdb";

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD date, computed in TypeScript (UTC). */
export function epochDay(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`Not a date: ${date}`);
  return Math.round(ms / MS_PER_DAY);
}

/** The YYYY-MM-DD date of a day number (days since 1970-01-01, UTC). */
export function dayDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The UTC day of an instant given in epoch milliseconds. */
export function utcDay(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

export interface RawUser {
  readonly user_id: string;
  readonly signup_day: number;
  readonly user_type: string;
  readonly device: string;
  readonly region: string;
  readonly marketing_source: string;
  readonly is_anomaly: boolean;
}

export interface RawSession {
  readonly session_id: string;
  readonly user_id: string;
  readonly start_ms: number;
  readonly session_day: number;
  readonly device: string;
  readonly user_type: string;
  readonly is_promo: boolean;
}

export interface RawEvent {
  readonly session_id: string;
  readonly event_type: string;
  readonly event_ms: number;
}

export interface RawOrder {
  readonly order_id: string;
  readonly user_id: string;
  readonly order_ms: number;
  readonly order_day: number;
  readonly is_promo: boolean;
  readonly discount_rate: number;
}

export interface RawLine {
  readonly order_id: string;
  readonly user_id: string;
  readonly product_id: string;
  readonly quantity: number;
  readonly line_amount: number;
  readonly is_promo: boolean;
  /** The line's order_date column (the day its order was placed). */
  readonly order_day: number;
}

/** The raw rows the truth computations read, instants as epoch milliseconds and UTC day numbers. */
export interface TruthRaw {
  readonly users: readonly RawUser[];
  readonly products: readonly { product_id: string; category: string }[];
  readonly promos: readonly { start_day: number; end_day: number; discount_rate: number }[];
  readonly sessions: readonly RawSession[];
  readonly events: readonly RawEvent[];
  readonly orders: readonly RawOrder[];
  readonly lines: readonly RawLine[];
  readonly subscriptions: readonly {
    user_id: string;
    plan: string;
    status: string;
    monthly_fee: number;
  }[];
  readonly exposures: readonly RawExposure[];
}

/** A campaign exposure: whether the message was sent, opened and blocked, as flags. */
export interface RawExposure {
  readonly campaign_id: string;
  readonly campaign_day: number;
  readonly user_id: string;
  readonly experiment_group: string;
  readonly purchase_count_tier: string;
  readonly category: string;
  readonly is_sent: boolean;
  readonly is_opened: boolean;
  readonly is_blocked: boolean;
}

/**
 * Reads raw rows straight from the tables, with no mart logic: timestamps leave DuckDB as epoch
 * milliseconds and dates as text, and their UTC days are computed here, so a date bug in the
 * marts cannot hide in the oracle too.
 */
export async function readTruthRaw(connection: DuckDBConnection): Promise<TruthRaw> {
  const read = <T>(sql: string) => queryRows<T>(connection, sql);
  const ms = (column: string) => `epoch_ms(${column})::double as ${column}`;
  const users = await read<{
    user_id: string;
    signup_date: string;
    user_type: string;
    device: string;
    region: string;
    marketing_source: string;
    anomaly_flag: boolean;
  }>(
    "select user_id, signup_date::varchar as signup_date, user_type, device, region, " +
      "marketing_source, anomaly_flag from raw.users",
  );
  const products = await read<{ product_id: string; category: string }>(
    "select product_id, category from raw.products",
  );
  const promos = await read<{ start_date: string; end_date: string; discount_rate: number }>(
    "select start_date::varchar as start_date, end_date::varchar as end_date, discount_rate " +
      "from raw.promo_calendar",
  );
  const sessions = await read<
    Omit<RawSession, "start_ms" | "session_day"> & { session_start_ts: number }
  >(
    `select session_id, user_id, ${ms("session_start_ts")}, device, user_type, is_promo ` +
      "from raw.sessions",
  );
  const events = await read<{ session_id: string; event_type: string; event_ts: number }>(
    `select session_id, event_type, ${ms("event_ts")} from raw.events`,
  );
  const orders = await read<Omit<RawOrder, "order_ms" | "order_day"> & { order_ts: number }>(
    `select order_id, user_id, ${ms("order_ts")}, is_promo, discount_rate from raw.orders`,
  );
  const lines = await read<Omit<RawLine, "order_day"> & { order_date: string }>(
    "select order_id, user_id, product_id, quantity::double as quantity, line_amount, is_promo, " +
      "order_date::varchar as order_date from raw.order_items",
  );
  const subscriptions = await read<TruthRaw["subscriptions"][number]>(
    "select user_id, plan, status, monthly_fee from raw.subscriptions",
  );
  const exposures = await read<Omit<RawExposure, "campaign_day"> & { campaign_date: string }>(
    "select campaign_id, campaign_date::varchar as campaign_date, user_id, experiment_group, " +
      "purchase_count_tier, category, sent_at is not null as is_sent, " +
      "opened_at is not null as is_opened, blocked_at is not null as is_blocked " +
      "from raw.campaign_exposures",
  );
  return {
    users: users.map((u) => ({
      user_id: u.user_id,
      signup_day: epochDay(u.signup_date),
      user_type: u.user_type,
      device: u.device,
      region: u.region,
      marketing_source: u.marketing_source,
      is_anomaly: u.anomaly_flag,
    })),
    products,
    promos: promos.map((p) => ({
      start_day: epochDay(p.start_date),
      end_day: epochDay(p.end_date),
      discount_rate: p.discount_rate,
    })),
    sessions: sessions.map((s) => ({
      session_id: s.session_id,
      user_id: s.user_id,
      start_ms: s.session_start_ts,
      session_day: utcDay(s.session_start_ts),
      device: s.device,
      user_type: s.user_type,
      is_promo: s.is_promo,
    })),
    events: events.map((e) => ({
      session_id: e.session_id,
      event_type: e.event_type,
      event_ms: e.event_ts,
    })),
    orders: orders.map((o) => ({
      order_id: o.order_id,
      user_id: o.user_id,
      order_ms: o.order_ts,
      order_day: utcDay(o.order_ts),
      is_promo: o.is_promo,
      discount_rate: o.discount_rate,
    })),
    lines: lines.map((l) => ({
      order_id: l.order_id,
      user_id: l.user_id,
      product_id: l.product_id,
      quantity: l.quantity,
      line_amount: l.line_amount,
      is_promo: l.is_promo,
      order_day: epochDay(l.order_date),
    })),
    subscriptions,
    exposures: exposures.map(({ campaign_date, ...e }) => ({
      ...e,
      campaign_day: epochDay(campaign_date),
    })),
  };
}
