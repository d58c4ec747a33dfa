import { runMarts } from "./runMarts";
import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { openTestWarehouse } from "./testing/testWarehouse";
import { HAND_FIXTURE_RUN_DATE, loadHandFixture } from "./testing/handFixture";
import { epochDay, readTruthRaw } from "./truth/rawRows";
import { computeRfmScores } from "./truth/rfmScores";
import { computeUserKpis } from "./truth/userKpis";

interface SummaryRow {
  user_id: string;
  days_to_first_purchase: number | null;
  is_converted_14d: boolean;
  is_converted_30d: boolean;
  ltv_180d: number | null;
  is_retained_90d: boolean | null;
}

interface RfmRow {
  user_id: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  recency_score: number;
  frequency_score: number;
  monetary_score: number;
}

let warehouse: DuckDbWarehouse;
let summary: Map<string, SummaryRow>;
let rfm: Map<string, RfmRow>;

beforeAll(async () => {
  warehouse = await openTestWarehouse();
  await loadHandFixture(warehouse.connection);
  await runMarts(warehouse, { runDate: HAND_FIXTURE_RUN_DATE });
  summary = byUser(
    await warehouse.query<SummaryRow>("select * from marts.dm_user_purchase_summary"),
  );
  rfm = byUser(await warehouse.query<RfmRow>("select * from snapshots.rfm_daily"));
});
afterAll(() => warehouse.close());

function byUser<T extends { user_id: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.user_id, r]));
}

describe("user KPIs against a TypeScript recomputation from raw rows", () => {
  it("has exactly the users the definitions keep (anomalies and later signups out)", async () => {
    const truth = computeUserKpis(
      await readTruthRaw(warehouse.connection),
      epochDay(HAND_FIXTURE_RUN_DATE),
    );
    expect([...summary.keys()].sort()).toEqual([...truth.keys()].sort());
  });

  it("agrees per user on days to first purchase, 14/30-day conversion, 180-day LTV and 90-day retention", async () => {
    const truth = computeUserKpis(
      await readTruthRaw(warehouse.connection),
      epochDay(HAND_FIXTURE_RUN_DATE),
    );
    for (const [userId, expected] of truth) {
      const row = summary.get(userId)!;
      const got = {
        days_to_first_purchase:
          row.days_to_first_purchase === null ? null : Number(row.days_to_first_purchase),
        is_converted_14d: row.is_converted_14d,
        is_converted_30d: row.is_converted_30d,
        ltv_180d: row.ltv_180d,
        is_retained_90d: row.is_retained_90d,
      };
      expect({ userId, ...got }).toEqual({ userId, ...expected, ltv_180d: got.ltv_180d });
      if (expected.ltv_180d === null) expect(got.ltv_180d).toBeNull();
      else expect(got.ltv_180d).toBeCloseTo(expected.ltv_180d, 2);
    }
  });
});

describe("edge cases of the hand-written fixture", () => {
  it("counts a first purchase on day 13 as a 14-day conversion", () => {
    expect(summary.get("U01")).toMatchObject({
      days_to_first_purchase: 13,
      is_converted_14d: true,
    });
  });

  it("does not count a first purchase on day 14 (one second before midnight UTC) as a 14-day conversion", () => {
    expect(summary.get("U02")).toMatchObject({
      days_to_first_purchase: 14,
      is_converted_14d: false,
      is_converted_30d: true,
    });
  });

  it("gives a user with no orders no conversion, zero orders and zero 180-day LTV", () => {
    expect(summary.get("U03")).toMatchObject({ is_converted_14d: false, orders: 0, ltv_180d: 0 });
  });

  it("leaves LTV and retention null for a user observed less than 180 days", () => {
    expect(summary.get("U04")).toMatchObject({ ltv_180d: null, is_retained_90d: null });
  });

  it("counts an order on day 179 in the 180-day LTV and one on day 180 outside it", () => {
    expect(summary.get("U06")!.ltv_180d).toBe(25);
  });

  it("retains a user seen only on day 119, and not one seen on days 89 and 120", () => {
    expect(summary.get("U13")!.is_retained_90d).toBe(true);
    expect(summary.get("U15")!.is_retained_90d).toBe(false);
  });

  it("excludes the anomaly-flagged user from every user-level output", () => {
    expect(summary.has("U05")).toBe(false);
    expect(rfm.has("U05")).toBe(false);
  });
});

describe("RFM scores against a TypeScript recomputation from raw rows", () => {
  it("scores every buyer as the score table says", async () => {
    const truth = computeRfmScores(
      await readTruthRaw(warehouse.connection),
      epochDay(HAND_FIXTURE_RUN_DATE),
    );
    expect([...rfm.keys()].sort()).toEqual([...truth.keys()].sort());
    for (const [userId, expected] of truth) {
      const row = rfm.get(userId)!;
      expect({
        userId,
        recency_days: Number(row.recency_days),
        frequency: Number(row.frequency),
        monetary: row.monetary,
        recency_score: row.recency_score,
        frequency_score: row.frequency_score,
        monetary_score: row.monetary_score,
      }).toEqual({ userId, ...expected });
    }
  });

  it("gives tied monetary values at a percentile the same score", () => {
    const tied = ["U07", "U08", "U09", "U10"].map((id) => rfm.get(id)!);
    expect(tied.every((r) => r.monetary === 20)).toBe(true);
    expect(new Set(tied.map((r) => r.monetary_score)).size).toBe(1);
  });

  it("ignores orders after the snapshot date", () => {
    expect(rfm.get("U11")).toMatchObject({ frequency: 3, monetary: 110, recency_days: 91 });
  });
});
