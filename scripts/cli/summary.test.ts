import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../../functions/src/backends/duckdbWarehouse";
import {
  formatSummary,
  FUNNEL_FROM_MART_SQL,
  funnelRates,
  KPIS_FROM_MART_SQL,
  KPIS_FROM_RAW_SQL,
} from "./summary";

let dir: string;
let warehouse: DuckDbWarehouse;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "summary-"));
  warehouse = await DuckDbWarehouse.open({ path: join(dir, "w.duckdb") });
  await warehouse.ensureRawTables();
  const run = (sql: string) => warehouse.connection.run(sql);
  // run date 2024-12-31. U1 (A): buys on day 3 (50) and day 200 (70). U2 (A): never buys.
  // U3 (B): signed up 2024-12-25, buys on day 2: too recent for 14-day conversion.
  // U4 (B): anomaly, excluded. U5 (B): buys on day 20 (30); a session on day 100.
  await run(`insert into raw.users values
    ('U1', '2024-01-01', 'A', 'Web', 'North', 'Paid', false),
    ('U2', '2024-01-01', 'A', 'Web', 'North', 'Paid', false),
    ('U3', '2024-12-25', 'B', 'iOS', 'East', 'Organic', false),
    ('U4', '2024-01-01', 'B', 'iOS', 'East', 'Organic', true),
    ('U5', '2024-02-01', 'B', 'iOS', 'East', 'Organic', false)`);
  await run(`insert into raw.orders values
    ('O1', 'U1', '2024-01-04 10:00:00+00', false, 0, null),
    ('O2', 'U1', '2024-07-19 10:00:00+00', false, 0, null),
    ('O3', 'U3', '2024-12-27 10:00:00+00', false, 0, null),
    ('O4', 'U4', '2024-01-01 10:00:00+00', false, 0, null),
    ('O5', 'U5', '2024-02-21 10:00:00+00', false, 0, null)`);
  await run(`insert into raw.order_items values
    ('I1', 'O1', 'U1', 'P1', 1, 50, false, 0, 50, 50, '2024-01-04'),
    ('I2', 'O2', 'U1', 'P1', 1, 70, false, 0, 70, 70, '2024-07-19'),
    ('I3', 'O3', 'U3', 'P1', 1, 10, false, 0, 10, 10, '2024-12-27'),
    ('I4', 'O4', 'U4', 'P1', 1, 99, false, 0, 99, 99, '2024-01-01'),
    ('I5', 'O5', 'U5', 'P1', 1, 30, false, 0, 30, 30, '2024-02-21')`);
  await run(`insert into raw.sessions values
    ('S1', 'U5', '2024-05-11 08:00:00+00', 'B', 'iOS', false, 0, null)`);
});
afterAll(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

describe("KPIS_FROM_RAW_SQL", () => {
  it("computes SPEC's windows per user type, excluding anomalies and unobserved users", async () => {
    const rows = await warehouse.query(KPIS_FROM_RAW_SQL, { run_date: { date: "2024-12-31" } });
    expect(rows).toEqual([
      {
        user_type: "A",
        users: 2,
        conversion_14d: 0.5,
        conversion_30d: 0.5,
        mean_ltv_180d: 25, // U1: 50 in days 0..179 (the day-200 order is outside), U2: 0
        retention_90d: 0,
      },
      {
        user_type: "B",
        users: 2,
        conversion_14d: 0, // U3 is not observed for 14 days yet; U5 bought on day 20
        conversion_30d: 1,
        mean_ltv_180d: 30,
        retention_90d: 1, // U5 visited on day 100
      },
    ]);
  });
});

describe("KPIS_FROM_MART_SQL", () => {
  it("reads the mart's columns with the same windows", async () => {
    await warehouse.connection.run(`create schema if not exists marts;
      create table marts.dm_user_purchase_summary as select * from (values
        ('A', 20, true, true, 100.0, true), ('A', 20, false, false, 0.0, false),
        ('A', 10, false, false, null, null), ('B', 40, false, true, 50.0, null))
        t(user_type, days_observed, is_converted_14d, is_converted_30d, ltv_180d, is_retained_90d)`);
    const rows = await warehouse.query(KPIS_FROM_MART_SQL);
    expect(rows).toEqual([
      {
        user_type: "A",
        users: 3,
        conversion_14d: 0.5,
        conversion_30d: null,
        mean_ltv_180d: 50,
        retention_90d: 0.5,
      },
      {
        user_type: "B",
        users: 1,
        conversion_14d: 0,
        conversion_30d: 1,
        mean_ltv_180d: 50,
        retention_90d: null,
      },
    ]);
  });
});

describe("FUNNEL_FROM_MART_SQL", () => {
  it("sums the mart's days before dividing, so a small day weighs as little as it is", async () => {
    await warehouse.connection.run(`create schema if not exists marts;
      create table marts.dm_funnel_daily as select * from (values
        (100, 50, 5, 2), (900, 450, 45, 18), (10, 0, 0, 0))
        t(sessions, view_sessions, add_to_cart_sessions, purchase_sessions)`);
    expect(await warehouse.query(FUNNEL_FROM_MART_SQL)).toEqual([
      {
        sessions: 1010,
        view_rate: 500 / 1010,
        add_to_cart_of_viewing: 50 / 500,
        purchase_of_carts: 20 / 50,
        session_conversion: 20 / 1010,
      },
    ]);
    expect((await funnelRates(warehouse))?.sessions).toBe(1010);
  });
});

describe("formatSummary", () => {
  it("prints the funnel rates beside their published ranges", () => {
    const text = formatSummary({
      rows: {},
      kpis: [],
      funnel: {
        sessions: 722101,
        view_rate: 0.492,
        add_to_cart_of_viewing: 0.106,
        purchase_of_carts: 0.405,
        session_conversion: 0.021,
      },
      seconds: [],
      lake: ".data/lake",
      warehouse: ".data/warehouse.duckdb",
    });
    expect(text).toMatch(/Funnel \(722,101 sessions\)/);
    expect(text).toMatch(/sessions viewing a product\s+49\.2%\n/);
    expect(text).toMatch(/add to cart, of viewing sessions\s+10\.6%\s+8-15%/);
    expect(text).toMatch(/purchase, of sessions with a cart\s+40\.5%\s+30-55%/);
    expect(text).toMatch(/session conversion\s+2\.10%\s+1-4%/);
  });

  it("shows every raw table, each user type and each stage with a total", () => {
    const text = formatSummary({
      rows: { users: 30000, events: 1812345 },
      kpis: [
        {
          user_type: "A",
          users: 7000,
          conversion_14d: 0.31,
          conversion_30d: 0.4,
          mean_ltv_180d: 40.5,
          retention_90d: 0.1,
        },
      ],
      seconds: [
        ["generate", 1.5],
        ["load", 2.25],
      ],
      lake: ".data/lake",
      warehouse: ".data/warehouse.duckdb",
    });
    expect(text).toMatch(/events\s+1,812,345/);
    expect(text).toMatch(/subscriptions\s+0/);
    expect(text).toMatch(/A\s+7,000\s+31\.0%\s+40\.0%\s+40\.50\s+10\.0%/);
    expect(text).toMatch(/total\s+3\.75/);
  });
});
