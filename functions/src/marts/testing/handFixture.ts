import type { DuckDBConnection } from "@duckdb/node-api";
import type { RawTableName } from "../../contract";
import { type FixtureRow, insertRawRows } from "./fixtureRows";

/** The observation end of the hand-written fixture. */
export const HAND_FIXTURE_RUN_DATE = "2024-12-31";

/**
 * Hand-written raw rows with the edge cases the KPI definitions turn on. Each user's comment says
 * what it tests; the truth tests recompute every KPI from these rows in TypeScript.
 */
export function handFixtureRows(): Record<RawTableName, FixtureRow[]> {
  const rows: Record<RawTableName, FixtureRow[]> = {
    users: [],
    products: [
      { product_id: "P1", product_name: "Runner", category: "Shoes", price: 20 },
      { product_id: "P2", product_name: "Novel", category: "Books", price: 10 },
    ],
    promo_calendar: [
      {
        promo_id: "PR1",
        promo_name: "Spring",
        start_date: "2024-03-01",
        end_date: "2024-03-10",
        discount_rate: 0.2,
      },
    ],
    sessions: [],
    events: [],
    orders: [],
    order_items: [],
    subscriptions: [],
    campaign_exposures: [],
  };
  let sessionNo = 0;
  let orderNo = 0;
  const user = (id: string, signup: string, type: string, extra: FixtureRow = {}): void => {
    rows.users.push({ user_id: id, signup_date: signup, user_type: type, ...extra });
    rows.subscriptions.push({
      subscription_id: `SUB_${id}`,
      user_id: id,
      start_date: signup,
      ...(extra.plan ? { plan: extra.plan, monthly_fee: 9.99 } : {}),
    });
    delete rows.users[rows.users.length - 1]!.plan;
  };
  const visit = (userId: string, ts: string, steps = 1): string => {
    sessionNo += 1;
    const sessionId = `S${String(sessionNo).padStart(4, "0")}`;
    rows.sessions.push({ session_id: sessionId, user_id: userId, session_start_ts: ts });
    const stepNames = ["view", "click", "add_to_cart", "checkout", "purchase"];
    for (let i = 0; i < steps; i += 1) {
      rows.events.push({
        event_id: `${sessionId}-E${i + 1}`,
        user_id: userId,
        event_ts: ts,
        event_type: stepNames[i]!,
        session_id: sessionId,
        product_id: "P1",
      });
    }
    return sessionId;
  };
  /** An order of one or more lines (amounts after discount), with its session and purchase event. */
  const buy = (userId: string, ts: string, amounts: number[], product = "P1"): void => {
    orderNo += 1;
    const orderId = `O${String(orderNo).padStart(4, "0")}`;
    const sessionId = visit(userId, ts, 4);
    rows.events.push({
      event_id: `${sessionId}-E5`,
      user_id: userId,
      event_ts: ts,
      event_type: "purchase",
      session_id: sessionId,
      order_id: orderId,
      product_id: product,
    });
    rows.orders.push({ order_id: orderId, user_id: userId, order_ts: ts });
    amounts.forEach((amount, i) => {
      rows.order_items.push({
        order_item_id: `${orderId}-L${i + 1}`,
        order_id: orderId,
        user_id: userId,
        product_id: product,
        unit_price: amount,
        final_unit_price: amount,
        line_amount: amount,
        order_date: ts.slice(0, 10),
      });
    });
  };

  // Converts on day 13 (inside 14 days); visits on days 95 and 100 (retained at 90, observed);
  // a second order on day 200 is outside its 180-day LTV.
  user("U01", "2024-01-01", "A");
  buy("U01", "2024-01-14 10:00:00+00", [50]);
  visit("U01", "2024-04-05 08:00:00+00");
  visit("U01", "2024-04-10 08:00:00+00");
  buy("U01", "2024-07-19 12:00:00+00", [30]);

  // First purchase exactly on day 14, one second before midnight UTC: not 14-day, yes 30-day.
  user("U02", "2024-01-01", "B", { plan: "Plus" });
  buy("U02", "2024-01-15 23:59:59+00", [20, 5], "P2");
  visit("U02", "2024-01-08 09:00:00+00");
  visit("U02", "2024-01-22 09:00:00+00");
  visit("U02", "2024-07-01 09:00:00+00");

  // Never buys; one visit on signup day only: not converted, not retained, LTV 0.
  user("U03", "2024-02-01", "C");
  visit("U03", "2024-02-01 15:00:00+00", 2);

  // Signed up 91 days before the end: 180-day LTV and retention not yet observed (null).
  user("U04", "2024-10-01", "D");
  buy("U04", "2024-10-06 11:00:00+00", [40]);

  // Anomaly: a large buyer the marts must ignore.
  user("U05", "2024-01-01", "A", { anomaly_flag: true });
  buy("U05", "2024-01-02 10:00:00+00", [9999]);

  // Orders on day 179 (inside LTV) and day 180 (outside); signed up during the promo.
  user("U06", "2024-03-05", "B");
  buy("U06", "2024-08-31 10:00:00+00", [25]);
  buy("U06", "2024-09-01 10:00:00+00", [100]);

  // Four buyers with the same monetary value: ties at the percentiles share a score.
  for (const id of ["U07", "U08", "U09", "U10"]) {
    user(id, "2024-05-01", "C");
    buy(id, "2024-05-20 10:00:00+00", [20]);
  }
  // Recency bands: last purchase 91 days (score 4), 366 days (score 2: > 365, <= 545) before
  // the end, and an order after the run date that must be ignored.
  user("U11", "2023-06-01", "B");
  buy("U11", "2023-06-15 10:00:00+00", [60]);
  buy("U11", "2023-12-31 10:00:00+00", [15]);
  buy("U11", "2024-10-01 10:00:00+00", [35]);
  buy("U11", "2025-01-01 10:00:00+00", [500]);
  user("U12", "2023-01-01", "D");
  buy("U12", "2023-12-31 09:00:00+00", [12.5]);
  // Visited only on day 119, the last day of the 90-day retention window: retained.
  user("U13", "2024-02-01", "A");
  visit("U13", "2024-05-30 23:00:00+00");
  // Visited on days 89 and 120, just outside the window on both sides: not retained.
  user("U15", "2024-02-01", "A");
  visit("U15", "2024-04-30 12:00:00+00");
  visit("U15", "2024-05-31 00:00:00+00");
  // Signed up on the last day: observed one day.
  user("U14", HAND_FIXTURE_RUN_DATE, "B");
  buy("U14", `${HAND_FIXTURE_RUN_DATE} 20:00:00+00`, [70]);

  // A campaign on 1 October: U11 messaged (and buys that day), U06 the control.
  for (const [id, group] of [
    ["U11", "treatment"],
    ["U06", "control"],
  ] as const) {
    rows.campaign_exposures.push({
      exposure_id: `RC2024-10-${id}`,
      campaign_id: "RC2024-10",
      campaign_date: "2024-10-01",
      user_id: id,
      experiment_group: group,
      purchase_count_tier: id === "U11" ? "3-4" : "2",
      category: "Shoes",
      sent_at: group === "treatment" ? "2024-10-01 09:00:00+00" : null,
    });
  }
  return rows;
}

/** Inserts the hand-written fixture into `raw.*` (tables created beforehand). */
export async function loadHandFixture(connection: DuckDBConnection): Promise<void> {
  for (const [table, tableRows] of Object.entries(handFixtureRows())) {
    await insertRawRows(connection, table as RawTableName, tableRows);
  }
}
