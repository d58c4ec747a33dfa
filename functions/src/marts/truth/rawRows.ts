import type { DuckDBConnection } from "@duckdb/node-api";
import { queryRows } from "../../warehouse/duckdb";

/** Days since 1970-01-01 of a YYYY-MM-DD date, computed in TypeScript (UTC). */
export function epochDay(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`Not a date: ${date}`);
  return Math.round(ms / 86_400_000);
}

const MS_PER_DAY = 86_400_000;

/** The raw rows the truth computations need, with instants as epoch milliseconds. */
export interface TruthRaw {
  readonly users: { user_id: string; signup_day: number; is_anomaly: boolean }[];
  readonly orders: { order_id: string; user_id: string; order_day: number }[];
  readonly lines: { order_id: string; line_amount: number }[];
  readonly sessions: { user_id: string; session_day: number }[];
}

/**
 * Reads raw rows straight from the tables, with no mart logic: timestamps leave DuckDB as epoch
 * milliseconds and their UTC day is computed here, so a date bug in the marts cannot hide in the
 * oracle too.
 */
export async function readTruthRaw(connection: DuckDBConnection): Promise<TruthRaw> {
  const users = await queryRows<{ user_id: string; signup_date: string; anomaly_flag: boolean }>(
    connection,
    "select user_id, cast(signup_date as varchar) as signup_date, anomaly_flag from raw.users",
  );
  const orders = await queryRows<{ order_id: string; user_id: string; ms: string }>(
    connection,
    "select order_id, user_id, epoch_ms(order_ts)::varchar as ms from raw.orders",
  );
  const lines = await queryRows<{ order_id: string; line_amount: number }>(
    connection,
    "select order_id, line_amount from raw.order_items",
  );
  const sessions = await queryRows<{ user_id: string; ms: string }>(
    connection,
    "select user_id, epoch_ms(session_start_ts)::varchar as ms from raw.sessions",
  );
  const day = (ms: string): number => Math.floor(Number(ms) / MS_PER_DAY);
  return {
    users: users.map((u) => ({
      user_id: u.user_id,
      signup_day: epochDay(u.signup_date),
      is_anomaly: u.anomaly_flag,
    })),
    orders: orders.map((o) => ({ order_id: o.order_id, user_id: o.user_id, order_day: day(o.ms) })),
    lines: lines.map((l) => ({ order_id: l.order_id, line_amount: Number(l.line_amount) })),
    sessions: sessions.map((s) => ({ user_id: s.user_id, session_day: day(s.ms) })),
  };
}
