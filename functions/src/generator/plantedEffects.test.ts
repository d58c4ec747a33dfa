import { USER_TYPES } from "../contract";
import {
  endTaperSql,
  promoLiftSql,
  promoSignupConversionSql,
  rhythmTercilesSql,
  typeKpisSql,
} from "./plantedEffects.sql";
import { closeDuckDb, type Db, generatedWorld, queryRows, scalar } from "./testSupport";

const END = "2025-12-31";

interface TypeKpis {
  user_type: string;
  conversion_14d: number;
  mean_ltv_180d: number;
  retention_90d: number;
  sessions_per_user: number;
  purchases_per_session: number;
}

function byKey<T>(rows: T[], key: keyof T): Record<string, T> {
  return Object.fromEntries(rows.map((r) => [String(r[key]), r]));
}

describe("planted effects at seed 42 (6,000 users)", () => {
  let db: Db;
  let types: Record<string, TypeKpis>;

  beforeAll(async () => {
    ({ db } = await generatedWorld({ users: 6_000, seed: 42 }));
    types = byKey(await queryRows<TypeKpis>(db.connection, typeKpisSql(END)), "user_type");
  });
  afterAll(() => closeDuckDb(db));

  const best = (metric: keyof TypeKpis) =>
    [...USER_TYPES].sort((a, b) => Number(types[b]?.[metric]) - Number(types[a]?.[metric]))[0];

  it("has A convert fastest and B earn the most over 180 days", () => {
    expect(best("conversion_14d")).toBe("A");
    expect(best("mean_ltv_180d")).toBe("B");
    expect(types.A!.conversion_14d).toBeGreaterThan(1.8 * types.B!.conversion_14d);
  });

  it("has the fastest converters worth clearly less at 180 days and retained less at 90 days", () => {
    expect(types.A!.mean_ltv_180d).toBeLessThan(0.5 * types.B!.mean_ltv_180d);
    expect(types.A!.retention_90d).toBeLessThan(types.B!.retention_90d - 0.4);
  });

  it("has C browse more than B but buy per visit far less", () => {
    expect(types.C!.sessions_per_user).toBeGreaterThan(1.2 * types.B!.sessions_per_user);
    expect(types.C!.purchases_per_session).toBeLessThan(0.25 * types.B!.purchases_per_session);
  });

  it("has D lowest on sessions, conversion, value and retention", () => {
    for (const metric of [
      "sessions_per_user",
      "conversion_14d",
      "mean_ltv_180d",
      "retention_90d",
    ] as const) {
      const othersLowest = Math.min(...["A", "B", "C"].map((t) => types[t]![metric]));
      expect({ metric, isLowest: types.D![metric] < othersLowest }).toEqual({
        metric,
        isLowest: true,
      });
    }
  });

  it("has promotion-period signups convert faster", async () => {
    const rows = byKey(
      await queryRows<{ is_promo_signup: boolean; users: number; conversion_14d: number }>(
        db.connection,
        promoSignupConversionSql(END),
      ),
      "is_promo_signup",
    );
    expect(Number(rows.true!.users)).toBeGreaterThan(200);
    expect(rows.true!.conversion_14d).toBeGreaterThan(1.4 * rows.false!.conversion_14d);
  });

  it("has promotions lift purchases per visit, most in a user's first 14 days", async () => {
    const rows = byKey(
      await queryRows<{ is_new_user: boolean; promo_rate: number; regular_rate: number }>(
        db.connection,
        promoLiftSql(),
      ),
      "is_new_user",
    );
    const lift = (key: string) => rows[key]!.promo_rate / rows[key]!.regular_rate;
    expect(lift("false")).toBeGreaterThan(1.1);
    expect(lift("true")).toBeGreaterThan(2 * lift("false"));
  });

  it("has a more regular early visit rhythm go with a higher 180-day LTV, overall and within B and C", async () => {
    const rows = await queryRows<{
      scope: string;
      tercile: number;
      users: string;
      mean_ltv_180d: number;
      capped_mean_ltv_180d: number;
    }>(db.connection, rhythmTercilesSql(END));
    const row = (scope: string, tercile: number) =>
      rows.find((r) => r.scope === scope && Number(r.tercile) === tercile)!;
    const ltv = (scope: string, tercile: number) => row(scope, tercile).mean_ltv_180d;
    // Within a type, the mean capped at the type's 99th percentile: C's hauls are a heavy tail
    // planted apart from rhythm, and at this scale a handful of them swing a tercile's plain mean
    // (within C at seed 42: 1.09x plain, 1.25x capped; at the reference scale 1.51x and 1.55x).
    const capped = (scope: string, tercile: number) => row(scope, tercile).capped_mean_ltv_180d;
    expect(ltv("all", 1)).toBeGreaterThan(1.8 * ltv("all", 3));
    expect(capped("B", 1)).toBeGreaterThan(1.15 * capped("B", 3));
    expect(capped("C", 1)).toBeGreaterThan(1.15 * capped("C", 3));
  });

  it("keeps users visiting up to the world's last day instead of tapering off before it", async () => {
    const [row] = await queryRows<{ last_7_days: number; two_weeks_earlier: number }>(
      db.connection,
      endTaperSql(END),
    );
    expect(row!.two_weeks_earlier).toBeGreaterThan(100);
    expect(row!.last_7_days / row!.two_weeks_earlier).toBeGreaterThan(0.85);
    expect(row!.last_7_days / row!.two_weeks_earlier).toBeLessThan(1.15);
  });

  it("flags 1-2% of users as anomalies: bots that never buy, test accounts with odd orders", async () => {
    const share = await scalar(db.connection, "select avg(anomaly_flag::integer) from gen.users");
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.02);
    const botOrders = await scalar(
      db.connection,
      `select count(*) from gen.orders where user_id in (
           select user_id from gen.sessions group by 1 having count(*) >= 80)
           and user_id in (select user_id from gen.users where anomaly_flag)`,
    );
    expect(botOrders).toBe(0);
    const oddBuyers = await scalar(
      db.connection,
      `select count(distinct i.user_id) from gen.order_items i join gen.users u using (user_id)
       where u.anomaly_flag`,
    );
    const normalLookingLines = await scalar(
      db.connection,
      `select count(*) from gen.order_items i join gen.users u using (user_id)
       where u.anomaly_flag and (i.quantity <> 1 or i.product_id <> 'P0001')`,
    );
    expect(oddBuyers).toBeGreaterThan(0);
    expect(normalLookingLines).toBe(0);
  });
});
