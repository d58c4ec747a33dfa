import type { DuckDBConnection } from "@duckdb/node-api";
import type { RawTableName } from "../../contract";
import { type FixtureRow, insertRawRows } from "./fixtureRows";

/**
 * The boundary fixture: raw rows whose every user sits on an edge of a mart definition, for the
 * oracle tests. It is read at two run dates: the last day of June 2025 (June complete) and the
 * day before (June partial), so each observation edge ("day N observed") is met on both sides.
 */
export const BOUNDARY_RUN_DATE = "2025-06-30";
export const BOUNDARY_RUN_DATE_PARTIAL = "2025-06-29";

const DAY_MS = 86_400_000;

/** YYYY-MM-DD `days` after `date`. */
export function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** A UTC timestamp literal on the day `days` after `date`. */
const at = (date: string, days: number, time = "10:00:00"): string =>
  `${plusDays(date, days)} ${time}+00`;

const R = BOUNDARY_RUN_DATE;

/** What each user of the fixture is there for, by user id (the tests name them). */
export const BOUNDARY_USERS = {
  firstPurchaseDay13: "U01",
  firstPurchaseDay14: "U02",
  firstPurchaseDay29: "U03",
  firstPurchaseDay30: "U04",
  ordersOnDays179And180: "U05",
  sessionsOnDays119And209: "U06",
  sessionsOnDays89And120And179And210: "U07",
  observed180Days: "U08",
  observed179Days: "U09",
  observed119Days: "U10",
  observed118Days: "U11",
  observed209Days: "U12",
  observed208Days: "U13",
  observed27Days: "U14",
  observed26Days: "U15",
  gapCvExactlyHalf: "U20",
  gapCvExactlyOne: "U21",
  gapCvJustAboveHalf: "U22",
  gapCvJustAboveOne: "U23",
  activeOnDays0And5And28: "U24",
  activeOnDays0And5And27: "U25",
  anomaly: "U26",
  silentForExactlyTierP75: "U45",
  silentOneDayBeyondTierP75: "U41",
  silentForExactlyInterpolatedP75: "U51",
  silentOneDayBeyondInterpolatedP75: "U52",
  firstOrdersAtTheSameInstant: "U60",
  firstOrderLinesOfEqualAmount: "U61",
  spenderExactlyOnP66OnJune29: "UA15",
  onlyTheSignupVisitInPeriod0: "U06",
  firstReturnOnDay1: "U17",
} as const;

/**
 * Builds the fixture. Comments give each user's edge; the oracle tests compare every mart with
 * its TypeScript recomputation on these rows, and a few tests check the edges by name.
 */
export function boundaryFixtureRows(): Record<RawTableName, FixtureRow[]> {
  const rows: Record<RawTableName, FixtureRow[]> = {
    users: [],
    products: [
      { product_id: "P1", product_name: "Runner", category: "Shoes", price: 20 },
      { product_id: "P2", product_name: "Novel", category: "Books", price: 10 },
      { product_id: "P3", product_name: "Kite", category: "Toys", price: 15 },
    ],
    promo_calendar: [
      {
        promo_id: "PR1",
        promo_name: "Spring",
        start_date: "2025-03-01",
        end_date: "2025-03-10",
        discount_rate: 0.2,
      },
      {
        promo_id: "PR2",
        promo_name: "Late spring",
        start_date: "2025-03-10",
        end_date: "2025-03-20",
        discount_rate: 0.3,
      },
    ],
    sessions: [],
    events: [],
    orders: [],
    order_items: [],
    subscriptions: [],
  };
  let sessionNo = 0;
  let orderNo = 0;
  const steps = ["view", "click", "add_to_cart", "checkout", "purchase"];

  const user = (
    id: string,
    signup: string,
    type: string,
    extra: { source?: string; anomaly?: boolean; plan?: string; status?: string } = {},
  ): string => {
    rows.users.push({
      user_id: id,
      signup_date: signup,
      user_type: type,
      marketing_source: extra.source ?? "Organic",
      anomaly_flag: extra.anomaly ?? false,
    });
    const paid = extra.plan !== undefined && extra.plan !== "Free";
    rows.subscriptions.push({
      subscription_id: `SUB_${id}`,
      user_id: id,
      start_date: signup,
      plan: extra.plan ?? "Free",
      status: extra.status ?? "Active",
      end_date: extra.status && extra.status !== "Active" ? R : null,
      monthly_fee: paid ? 4.99 : 0,
    });
    return signup;
  };
  /** A session reaching `reach` funnel steps (0: no events), all events at its start. */
  const visit = (userId: string, ts: string, reach = 1, device = "Web"): string => {
    sessionNo += 1;
    const sessionId = `S${String(sessionNo).padStart(4, "0")}`;
    rows.sessions.push({ session_id: sessionId, user_id: userId, session_start_ts: ts, device });
    for (let i = 0; i < reach; i += 1) {
      rows.events.push({
        event_id: `${sessionId}-E${i + 1}`,
        user_id: userId,
        event_ts: ts,
        event_type: steps[i]!,
        session_id: sessionId,
        product_id: "P1",
        device,
      });
    }
    return sessionId;
  };
  /** An order (its session, purchase event and lines: [product, amount after discount]). */
  const buy = (
    userId: string,
    ts: string,
    lines: readonly (readonly [string, number])[],
    promo: { rate: number; id: string } | null = null,
  ): void => {
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
      product_id: lines[0]![0],
    });
    rows.orders.push({
      order_id: orderId,
      user_id: userId,
      order_ts: ts,
      is_promo: promo !== null,
      discount_rate: promo?.rate ?? 0,
      promo_id: promo?.id ?? null,
    });
    lines.forEach(([product, amount], i) => {
      rows.order_items.push({
        order_item_id: `${orderId}-L${i + 1}`,
        order_id: orderId,
        user_id: userId,
        product_id: product,
        unit_price: amount,
        final_unit_price: amount,
        line_amount: amount,
        is_promo: promo !== null,
        discount_rate: promo?.rate ?? 0,
        order_date: ts.slice(0, 10),
      });
    });
  };
  /** Sessions on each of the given days after signup. */
  const activeOn = (userId: string, signup: string, days: readonly number[]): void => {
    for (const d of days) visit(userId, at(signup, d, "09:00:00"));
  };

  // ---- Conversion windows: first purchase on day 13 / 14 and 29 / 30 (UTC day edges).
  const early = "2024-09-01";
  user("U01", early, "A", { source: "Paid", plan: "Plus" });
  buy("U01", at(early, 13, "23:59:59"), [["P1", 40]]);
  user("U02", early, "A", { source: "Paid", plan: "Premium", status: "Cancelled" });
  buy("U02", at(early, 14, "00:00:00"), [["P2", 30]]);
  user("U03", early, "B", { plan: "Plus", status: "Expired" });
  buy("U03", at(early, 29, "23:59:59"), [["P1", 20]]);
  user("U04", early, "B", { source: "Referral" });
  buy("U04", at(early, 30, "00:00:00"), [["P3", 15]]);

  // ---- 180-day LTV: orders on day 179 (inside) and day 180 (outside).
  user("U05", early, "B");
  buy("U05", at(early, 179, "23:59:59"), [["P1", 50]]);
  buy("U05", at(early, 180, "00:00:00"), [["P2", 100]]);

  // ---- Retention windows: sessions on days 119 and 209 (inside) against 89, 120, 179, 210.
  // U06's signup visit is its only session in its first 30 days: no return in cohort period 0.
  user("U06", early, "C");
  visit("U06", at(early, 0), 0);
  visit("U06", at(early, 119, "23:00:00"), 2);
  visit("U06", at(early, 209, "00:30:00"), 3);
  user("U07", early, "D");
  for (const d of [89, 120, 179, 210]) visit("U07", at(early, d), 1);

  // ---- Observation edges: exactly observed against one day short, at the June 30 run date.
  user("U08", plusDays(R, -180), "B");
  buy("U08", at(plusDays(R, -180), 2), [["P2", 20]]);
  user("U09", plusDays(R, -179), "B");
  buy("U09", at(plusDays(R, -179), 2), [["P2", 20]]);
  user("U10", plusDays(R, -119), "C");
  visit("U10", at(plusDays(R, -119), 100));
  user("U11", plusDays(R, -118), "C");
  visit("U11", at(plusDays(R, -118), 100));
  user("U12", plusDays(R, -209), "C");
  visit("U12", at(plusDays(R, -209), 185));
  user("U13", plusDays(R, -208), "C");
  visit("U13", at(plusDays(R, -208), 185));
  user("U14", plusDays(R, -27), "B");
  activeOn("U14", plusDays(R, -27), [0, 3, 6, 9, 12]);
  user("U15", plusDays(R, -26), "B");
  activeOn("U15", plusDays(R, -26), [0, 3, 6, 9, 12]);
  // Conversion observed 14 / 30 days (days_observed) against a day short.
  user("U16", plusDays(R, -13), "A");
  buy("U16", at(plusDays(R, -13), 5), [["P3", 15]]);
  user("U17", plusDays(R, -12), "A"); // its only session on day 1: a return in cohort period 0
  buy("U17", at(plusDays(R, -12), 1), [["P3", 15]]);
  user("U18", plusDays(R, -29), "A");
  buy("U18", at(plusDays(R, -29), 20), [["P3", 15]]);
  user("U19", plusDays(R, -28), "A");
  visit("U19", at(plusDays(R, -28), 0));

  // ---- Consistency: gap CVs of exactly 0.5 and 1.0, and just above each.
  const rhythm = "2025-02-03";
  user("U20", rhythm, "A"); // gaps 1, 1, 3, 4, 3: mean 2.4, sd 1.2, CV 0.5 -> High
  activeOn("U20", rhythm, [0, 1, 2, 5, 9, 12]);
  user("U21", rhythm, "B"); // gaps 1, 1, 4, 12: mean 4.5, sd 4.5, CV 1.0 -> Medium
  activeOn("U21", rhythm, [0, 1, 2, 6, 18]);
  user("U22", rhythm, "C"); // gaps 1, 1, 3, 4: CV 0.577 -> Medium
  activeOn("U22", rhythm, [0, 1, 2, 5, 9]);
  user("U23", rhythm, "D"); // gaps 1, 1, 1, 1, 7: CV 1.09 -> Low
  activeOn("U23", rhythm, [0, 1, 2, 3, 4, 11]);
  user("U24", rhythm, "A"); // day 28 is outside the window: two active days -> Sparse
  activeOn("U24", rhythm, [0, 5, 28]);
  user("U25", rhythm, "A"); // day 27 is inside: three active days, gaps 5, 22
  activeOn("U25", rhythm, [0, 5, 27]);

  // ---- An anomaly: a heavy buyer and visitor every mart must leave out.
  user("U26", early, "A", { anomaly: true, source: "Paid", plan: "Premium" });
  activeOn("U26", early, [0, 1, 2, 3]);
  buy("U26", at(early, 1), [["P1", 9999]]);
  buy("U26", at(plusDays(R, -1), 0), [["P3", 9999]]);

  // ---- Churn risk groups: one-order buyers silent 60 / 61, 120 / 121, 180 / 181 days.
  const old = "2024-06-01";
  [60, 61, 120, 121, 180, 181].forEach((silence, i) => {
    const id = `U3${i}`;
    user(id, old, "C");
    buy(id, at(plusDays(R, -silence), 0), [["P2", 10]]);
  });

  // ---- Tier '2' purchase cycles 0 (U60), 1 (U05), 10, 20, 30, 36, 50: P75 at position 4.5 of
  // 6 is 30 + 0.5 * 6 = 33. Silent 33 days: not on the list; 34: on it.
  [
    ["U41", 10, 34],
    ["U42", 20, 39],
    ["U43", 36, 180],
    ["U44", 50, 181],
    ["U45", 30, 33],
  ].forEach(([id, span, silence]) => {
    user(id as string, old, "B");
    buy(id as string, at(plusDays(R, -(silence as number) - (span as number)), 0), [["P1", 20]]);
    buy(id as string, at(plusDays(R, -(silence as number)), 0), [["P1", 20]]);
  });
  // ---- Tier '3-4' cycles 0, 1/3, 41/3: P75 at position 1.5 is 1/3 + (41/3 - 1/3) / 2 = 7,
  // which a float interpolation gives as 6.999999999999999. Silent 7 days: not on the list.
  const fourOrders = (id: string, span: number, silence: number, sameDayOrders = 3): void => {
    user(id, old, "D");
    const last = plusDays(R, -silence);
    for (let i = 0; i < sameDayOrders; i += 1)
      buy(id, at(last, -span, `0${i}:00:00`), [["P2", 12]]);
    buy(id, at(last, 0, "12:00:00"), [["P2", 12]]);
  };
  fourOrders("U50", 0, 3);
  fourOrders("U51", 1, 7);
  fourOrders("U52", 41, 8);
  // Tier '5+': five orders a week apart.
  user("U53", old, "A");
  for (let i = 0; i < 5; i += 1) buy("U53", at(plusDays(R, -90), i * 7), [["P3", 15]]);

  // ---- Tie-breaks: two first orders at the same instant (the lower order_id is first), and a
  // first order whose two largest lines are equal (the lower product_id gives the category).
  user("U60", "2024-10-01", "A");
  buy("U60", at("2024-10-01", 2), [["P2", 8]], { rate: 0.2, id: "PR1" });
  buy("U60", at("2024-10-01", 2), [["P1", 20]]);
  user("U61", "2024-10-01", "B");
  buy("U61", at("2024-10-01", 3), [
    ["P3", 15],
    ["P1", 15],
    ["P2", 5],
  ]);

  // ---- Promo signups: on the first day of a promo, on the day two overlap (the deeper discount
  // counts), on the last day, and the day after.
  for (const [id, signup] of [
    ["U70", "2025-03-01"],
    ["U71", "2025-03-10"],
    ["U72", "2025-03-20"],
    ["U73", "2025-03-21"],
  ] as const) {
    user(id, signup, "A");
    buy(id, at(signup, 1), [["P1", 16]], { rate: 0.2, id: "PR1" });
  }

  // ---- Months: the last second of May and the first second of June; a year-earlier May. One
  // order each, so the purchase-cycle tiers above stay as they are.
  user("U80", "2024-05-01", "C");
  buy("U80", "2024-05-15 10:00:00+00", [["P1", 30]]);
  user("U81", "2025-05-01", "C");
  buy("U81", "2025-05-31 23:59:59+00", [["P1", 45]]);
  user("U82", "2025-05-01", "C");
  buy("U82", "2025-06-01 00:00:00+00", [["P2", 10]]);

  // ---- CLTV percentiles. Spenders on June 30: 15, 20 x4, 28, 30 x2, 35, 40, 45 x8, 50 and 33
  // at 100..132 (52). P33 sits at position 0.33 * 51 = 16.83, inside the run of 45s (indices
  // 10..17): all eight share the tier. On June 29 (U08 not yet observed, 51 spenders) P66 sits at
  // position 0.66 * 50 = 33 exactly, on the spender at 115 (index 33), whose neighbours differ:
  // it is High only because a value on the threshold takes the upper tier.
  for (let i = 0; i < 8; i += 1) {
    const id = `U9${i}`;
    user(id, "2024-10-01", "C");
    buy(id, at("2024-10-01", 3), [["P3", 45]]);
  }
  for (let i = 0; i < 33; i += 1) {
    const id = `UA${String(i).padStart(2, "0")}`;
    user(id, "2024-10-01", "B");
    buy(id, at("2024-10-01", 4), [["P1", 100 + i]]);
  }

  // ---- The run day's last instants: a session at 23:59:30 with an event after midnight (cut),
  // and a session at midnight after the run day (left out), and an order after it.
  const lastSession = visit("U06", `${R} 23:59:30+00`, 2);
  rows.events.push({
    event_id: "LATE-E1",
    user_id: "U06",
    event_ts: `${plusDays(R, 1)} 00:00:10+00`,
    event_type: "add_to_cart",
    session_id: lastSession,
    product_id: "P1",
  });
  visit("U06", `${plusDays(R, 1)} 00:00:00+00`, 3, "iOS");
  buy("U01", `${plusDays(R, 1)} 08:00:00+00`, [["P1", 70]]);
  return rows;
}

/** Inserts the boundary fixture into `raw.*` (tables created beforehand). */
export async function loadBoundaryFixture(connection: DuckDBConnection): Promise<void> {
  for (const [table, tableRows] of Object.entries(boundaryFixtureRows())) {
    await insertRawRows(connection, table as RawTableName, tableRows);
  }
}
