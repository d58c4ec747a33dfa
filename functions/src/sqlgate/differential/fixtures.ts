import { PLANS, RAW_TABLES, RawTableName } from "../../contract";
import { Cell } from "../resultTable";
import { RawRows } from "./duckdbSide";

/**
 * A hand-written shop for differential tests: ten users, each a scenario stated below, expanded
 * into consistent rows of every raw table (sessions, funnel events, orders, lines, campaigns).
 * Small on purpose: the edge cases are what both engines must agree on.
 *
 * Observation end (`run_date`, `snapshot_date`): 2024-12-31.
 */
export const FIXTURE_RUN_DATE = "2024-12-31";

interface Visit {
  /** Days after signup (day 0 = signup date). */
  readonly day: number;
  /**
   * UTC time of the session's last event (the purchase, when it buys), `HH:MM:SS[.ffffff]`;
   * default 10:00:00. Steps are 30 s apart, so the session starts earlier, maybe the day before.
   */
  readonly time?: string;
  /** Highest funnel step reached, 1 (view) to 5 (purchase). */
  readonly steps: 1 | 2 | 3 | 4 | 5;
  /** Lines bought when `steps` is 5: product id and quantity. */
  readonly items?: readonly (readonly [string, number])[];
  readonly device?: string;
}

interface UserScenario {
  readonly id: string;
  readonly signup: string;
  readonly type: "A" | "B" | "C" | "D";
  readonly device: "iOS" | "Android" | "Web";
  readonly region: string;
  readonly source: "Organic" | "Paid" | "Referral";
  readonly anomaly?: boolean;
  readonly plan?: (typeof PLANS)[number];
  readonly status?: "Active" | "Cancelled" | "Expired";
  readonly visits: readonly Visit[];
  /** Why this user is in the fixture. */
  readonly why: string;
}

const PRODUCTS = [
  { product_id: "P1", product_name: "Shirt", category: "Apparel", brand: "Acme", price: 20 },
  { product_id: "P2", product_name: "Lamp", category: "Home", brand: "Lumo", price: 35.5 },
  { product_id: "P3", product_name: "Mug", category: "Home", brand: "Acme", price: 9.99 },
  { product_id: "P4", product_name: "Jacket", category: "Apparel", brand: "Nord", price: 80 },
] as const;

const PROMOS = [
  {
    id: "PR1",
    name: "Spring Sale",
    start: "2024-03-01",
    end: "2024-03-14",
    level: "High",
    rate: 0.2,
  },
  {
    id: "PR2",
    name: "Autumn Days",
    start: "2024-10-01",
    end: "2024-10-07",
    level: "Low",
    rate: 0.1,
  },
] as const;

export const USERS: readonly UserScenario[] = [
  {
    id: "U01",
    signup: "2024-01-10",
    type: "A",
    device: "iOS",
    region: "North",
    source: "Paid",
    plan: "Plus",
    why: "buys on day 13 at 23:59:59.999999 (inside the 14-day window), returns on days 95 and 185",
    visits: [
      { day: 0, steps: 3 },
      { day: 13, time: "23:59:59.999999", steps: 5, items: [["P1", 2]] },
      { day: 95, steps: 5, items: [["P4", 1]] },
      { day: 185, steps: 1 },
    ],
  },
  {
    id: "U02",
    signup: "2024-01-10",
    type: "B",
    device: "Web",
    region: "South",
    source: "Organic",
    why: "first purchase exactly on day 14 at midnight (outside 14 days, inside 30); day 119/120 visits",
    visits: [
      { day: 1, steps: 2 },
      { day: 14, time: "00:00:00", steps: 5, items: [["P2", 1]] },
      { day: 119, steps: 1 },
      { day: 120, steps: 2 },
      { day: 179, time: "23:59:59", steps: 5, items: [["P3", 3]] },
      { day: 180, time: "00:00:01", steps: 5, items: [["P3", 1]] },
    ],
  },
  {
    id: "U03",
    signup: "2024-03-05",
    type: "C",
    device: "Android",
    region: "East",
    source: "Referral",
    why: "signs up during a promotion, reaches the cart, never buys",
    visits: [
      { day: 0, steps: 3 },
      { day: 2, steps: 4 },
      { day: 40, steps: 1 },
    ],
  },
  {
    id: "U04",
    signup: "2024-02-01",
    type: "D",
    device: "Web",
    region: "West",
    source: "Paid",
    why: "buys 40.00 on day 0: ties U05 and U10 on monetary",
    visits: [{ day: 0, steps: 5, items: [["P1", 2]] }],
  },
  {
    id: "U05",
    signup: "2024-02-01",
    type: "A",
    device: "iOS",
    region: "Central",
    source: "Organic",
    plan: "Premium",
    status: "Cancelled",
    why: "buys 40.00 on day 5 (tie), cancelled a paid plan",
    visits: [
      {
        day: 5,
        steps: 5,
        items: [
          ["P1", 1],
          ["P1", 1],
        ],
      },
      { day: 92, steps: 1 },
    ],
  },
  {
    id: "U06",
    signup: "2024-09-15",
    type: "B",
    device: "Android",
    region: "North",
    source: "Paid",
    why: "observed only 107 days (no 180-day LTV); buys during the autumn promotion",
    visits: [
      { day: 2, steps: 4 },
      {
        day: 17,
        steps: 5,
        items: [
          ["P2", 2],
          ["P3", 1],
        ],
        device: "Web",
      },
      { day: 90, steps: 1 },
    ],
  },
  {
    id: "U07",
    signup: "2024-03-01",
    type: "C",
    device: "Web",
    region: "South",
    source: "Organic",
    anomaly: true,
    why: "anomaly-flagged buyer with many orders: every mart must exclude them",
    visits: [
      { day: 0, steps: 5, items: [["P4", 5]] },
      { day: 0, time: "11:00:00", steps: 5, items: [["P4", 5]] },
      { day: 1, steps: 5, items: [["P4", 5]] },
    ],
  },
  {
    id: "U08",
    signup: "2024-04-20",
    type: "D",
    device: "iOS",
    region: "East",
    source: "Referral",
    plan: "Premium",
    why: "frequent buyer (3+ orders), last order 200 days after signup; tie at 13:00 on one day",
    visits: [
      { day: 1, steps: 5, items: [["P2", 1]] },
      {
        day: 30,
        steps: 5,
        items: [
          ["P4", 1],
          ["P3", 2],
        ],
      },
      { day: 30, time: "13:00:00", steps: 1 },
      { day: 100, steps: 2 },
      { day: 200, steps: 5, items: [["P1", 1]] },
    ],
  },
  {
    id: "U09",
    signup: "2024-12-20",
    type: "A",
    device: "Web",
    region: "West",
    source: "Paid",
    why: "signed up 11 days before the end of data: windows not yet complete",
    visits: [{ day: 0, steps: 2 }],
  },
  {
    id: "U10",
    signup: "2024-05-05",
    type: "B",
    device: "Android",
    region: "Central",
    source: "Organic",
    why: "buys 40.00 on day 29 (inside 30 days), silent since: a churn candidate",
    visits: [
      { day: 3, steps: 1 },
      { day: 29, steps: 5, items: [["P1", 2]] },
    ],
  },
];

const PLAN_FEES: Record<(typeof PLANS)[number], number> = { Free: 0, Plus: 9.99, Premium: 19.99 };

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function addSeconds(timestamp: string, seconds: number): string {
  const [base, fraction] = timestamp.replace("Z", "").split(".");
  const d = new Date(`${base}Z`);
  d.setUTCSeconds(d.getUTCSeconds() + seconds);
  return `${d.toISOString().slice(0, 19)}${fraction ? "." + fraction : ""}Z`;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

type Row = Record<string, Cell>;

/** The fixture as rows by column name, consistent across tables. */
export function fixtureRowObjects(
  users: readonly UserScenario[] = USERS,
): Record<RawTableName, Row[]> {
  const out: Record<RawTableName, Row[]> = {
    users: [],
    products: PRODUCTS.map((p) => ({
      ...p,
      rating_avg: 4.2,
      is_new_arrival: p.product_id === "P4",
    })),
    promo_calendar: PROMOS.map((p) => ({
      promo_id: p.id,
      promo_name: p.name,
      start_date: p.start,
      end_date: p.end,
      uplift_level: p.level,
      discount_rate: p.rate,
    })),
    sessions: [],
    events: [],
    orders: [],
    order_items: [],
    subscriptions: [],
    campaign_exposures: [],
  };
  const steps = ["view", "click", "add_to_cart", "checkout", "purchase"];
  for (const u of users) {
    out.users.push({
      user_id: u.id,
      signup_date: u.signup,
      user_type: u.type,
      device: u.device,
      region: u.region,
      marketing_source: u.source,
      anomaly_flag: u.anomaly ?? false,
    });
    const plan = u.plan ?? "Free";
    const status = u.status ?? "Active";
    out.subscriptions.push({
      subscription_id: `SUB_${u.id}`,
      user_id: u.id,
      plan,
      start_date: addDays(u.signup, plan === "Free" ? 0 : 20),
      end_date: status === "Active" ? null : addDays(u.signup, 120),
      status,
      monthly_fee: PLAN_FEES[plan],
    });
    u.visits.forEach((v, n) => {
      const date = addDays(u.signup, v.day);
      const last = `${date}T${v.time ?? "10:00:00"}Z`;
      const start = addSeconds(last, -30 * (v.steps - 1));
      const promo = PROMOS.find((p) => p.start <= date && date <= p.end);
      const promoCols = {
        is_promo: promo !== undefined,
        discount_rate: promo?.rate ?? 0,
        promo_id: promo?.id ?? null,
      };
      const sessionId = `S${u.id}_${n + 1}`;
      const device = v.device ?? u.device;
      out.sessions.push({
        session_id: sessionId,
        user_id: u.id,
        session_start_ts: start,
        user_type: u.type,
        device,
        ...promoCols,
      });
      const orderId = v.steps === 5 ? `O${u.id}_${n + 1}` : null;
      const productId = v.items?.[0]?.[0] ?? "P1";
      for (let s = 0; s < v.steps; s++) {
        const isPurchase = s === 4;
        out.events.push({
          event_id: `E${u.id}_${n + 1}_${s + 1}`,
          user_id: u.id,
          event_ts: s === 0 ? start : addSeconds(start, 30 * s),
          event_type: steps[s]!,
          session_id: sessionId,
          device,
          order_id: isPurchase ? orderId : null,
          product_id: productId,
          ...promoCols,
        });
      }
      if (!orderId) return;
      out.orders.push({ order_id: orderId, user_id: u.id, order_ts: last, ...promoCols });
      (v.items ?? []).forEach(([product, quantity], i) => {
        const unit = PRODUCTS.find((p) => p.product_id === product)!.price;
        const finalUnit = cents(unit * (1 - promoCols.discount_rate));
        out.order_items.push({
          order_item_id: `${orderId}_${i + 1}`,
          order_id: orderId,
          user_id: u.id,
          product_id: product,
          quantity,
          unit_price: unit,
          is_promo: promoCols.is_promo,
          discount_rate: promoCols.discount_rate,
          final_unit_price: finalUnit,
          line_amount: cents(finalUnit * quantity),
          order_date: date,
        });
      });
    });
  }
  // A campaign on 2024-07-01: U02 messaged, opens and buys on days 6 and 7 after it (either side
  // of the 7-day window), U03 messaged and blocks, U01 the control.
  const campaign = (id: string, group: string, reaction: "opened" | "blocked" | null) => ({
    exposure_id: `RC2024-07-${id}`,
    campaign_id: "RC2024-07",
    campaign_date: "2024-07-01",
    user_id: id,
    experiment_group: group,
    purchase_count_tier: "2",
    category: "Home",
    sent_at: group === "treatment" ? "2024-07-01T10:05:00Z" : null,
    opened_at: reaction ? "2024-07-01T11:00:00Z" : null,
    blocked_at: reaction === "blocked" ? "2024-07-01T11:01:00Z" : null,
  });
  out.campaign_exposures.push(
    campaign("U01", "control", null),
    campaign("U02", "treatment", "opened"),
    campaign("U03", "treatment", "blocked"),
  );
  return out;
}

/** The fixture as cells in contract column order, ready for DuckDB and the evaluator. */
export function fixtureRows(users: readonly UserScenario[] = USERS): RawRows {
  const objects = fixtureRowObjects(users);
  const rows = {} as Record<RawTableName, Cell[][]>;
  for (const [name, list] of Object.entries(objects) as [RawTableName, Row[]][]) {
    rows[name] = list.map((row) =>
      RAW_TABLES[name].columns.map((c) => {
        if (!(c.name in row)) throw new Error(`Fixture ${name} row lacks ${c.name}`);
        return row[c.name]!;
      }),
    );
  }
  return rows;
}
