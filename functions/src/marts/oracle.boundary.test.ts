import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { MARTS } from "./catalog";
import { MART_PARAMETERS } from "./martParameters";
import { runMarts } from "./runMarts";
import {
  BOUNDARY_RUN_DATE,
  BOUNDARY_RUN_DATE_PARTIAL,
  BOUNDARY_USERS as U,
  loadBoundaryFixture,
} from "./testing/boundaryFixture";
import { openTestWarehouse } from "./testing/testWarehouse";
import { compareWithOracle, readMartRows } from "./truth/compare";
import { epochDay, readTruthRaw } from "./truth/rawRows";
import type { ClvFitRow } from "./truth/clvSegments";
import { rfmDailyTruth, type SegmentMapRow } from "./truth/rfmSnapshot";
import { takeRfmSnapshots, type RfmSnapshotTaken } from "../rfm/refreshRfm";
import { computeShopTruth, ORACLE_KEYS, type OracleMart, type TruthRow } from "./truth/shopTruth";
import { exactPercentile, fraction } from "./truth/stats";

const ORACLE_MARTS = Object.keys(ORACLE_KEYS) as OracleMart[];

interface Run {
  warehouse: DuckDbWarehouse;
  truth: Record<OracleMart, TruthRow[]>;
  mart: (name: OracleMart) => Promise<TruthRow[]>;
}

/** dm_kpi_daily's range: two months, so its 7- and 30-day windows cross the fixture's edges. */
const KPI_FROM_DATE = "2025-05-01";

async function materialise(runDate: string): Promise<Run> {
  const warehouse = await openTestWarehouse();
  await loadBoundaryFixture(warehouse.connection);
  await runMarts(warehouse, { runDate, fromDate: KPI_FROM_DATE });
  const segmentMap = await warehouse.query<SegmentMapRow>(
    "select * from snapshots.rfm_segment_map",
  );
  const truth = computeShopTruth(
    await readTruthRaw(warehouse.connection),
    runDate,
    MART_PARAMETERS,
    segmentMap,
    KPI_FROM_DATE,
    await warehouse.query<ClvFitRow>("select * from snapshots.clv_fit"),
  );
  const mart = (name: OracleMart) => {
    const decl = MARTS.find((m) => m.name === name)!;
    return readMartRows(warehouse.connection, decl.dataset, decl.name);
  };
  return { warehouse, truth, mart };
}

/** One warehouse per run date, built once for the whole file (the mutation runs re-run it). */
const runs = new Map<string, Promise<Run>>();
const runOn = (runDate: string): Promise<Run> => {
  if (!runs.has(runDate)) runs.set(runDate, materialise(runDate));
  return runs.get(runDate)!;
};
afterAll(async () => {
  for (const run of runs.values()) (await run).warehouse.close();
});

describe("every mart has an oracle", () => {
  it("covers each declared mart but the segment map (the RFM oracles read it)", () => {
    const without = MARTS.map((m) => m.name).filter((n) => !(n in ORACLE_KEYS));
    expect(without.sort()).toEqual(["rfm_segment_map"]);
  });
});

describe.each([BOUNDARY_RUN_DATE, BOUNDARY_RUN_DATE_PARTIAL])(
  "the boundary fixture read on %s",
  (runDate) => {
    let run: Run;
    beforeAll(async () => {
      run = await runOn(runDate);
    }, 120_000);

    it.each(ORACLE_MARTS)("%s equals its oracle, column by column", async (name) => {
      const rows = await run.mart(name);
      expect(rows.length).toBeGreaterThan(0);
      expect(compareWithOracle(rows, run.truth[name], ORACLE_KEYS[name])).toEqual([]);
    });
  },
);

/** The fixture must sit on the edges it claims, or the oracle comparisons prove little. */
describe("the boundary fixture's edges, as the marts read them", () => {
  let complete: Run;
  let partial: Run;
  beforeAll(async () => {
    complete = await runOn(BOUNDARY_RUN_DATE);
    partial = await runOn(BOUNDARY_RUN_DATE_PARTIAL);
  }, 120_000);

  const byId = async (run: Run, name: OracleMart, key = "user_id") =>
    new Map((await run.mart(name)).map((r) => [r[key] as string, r]));

  it("puts first purchases on days 13 / 14 and 29 / 30 on either side of the windows", async () => {
    const users = await byId(complete, "dm_user_purchase_summary");
    expect(users.get(U.firstPurchaseDay13)).toMatchObject({ is_converted_14d: true });
    expect(users.get(U.firstPurchaseDay14)).toMatchObject({
      is_converted_14d: false,
      is_converted_30d: true,
    });
    expect(users.get(U.firstPurchaseDay29)).toMatchObject({ is_converted_30d: true });
    expect(users.get(U.firstPurchaseDay30)).toMatchObject({ is_converted_30d: false });
  });

  it("reads the gap CVs of exactly 0.5 and 1.0 as High and Medium, and just above as the next tier", async () => {
    const users = await byId(complete, "dm_behavior_consistency");
    expect(users.get(U.gapCvExactlyHalf)).toMatchObject({ gap_cv: 0.5, consistency_tier: "High" });
    expect(users.get(U.gapCvExactlyOne)).toMatchObject({ gap_cv: 1, consistency_tier: "Medium" });
    expect(users.get(U.gapCvJustAboveHalf)!.consistency_tier).toBe("Medium");
    expect(users.get(U.gapCvJustAboveOne)!.consistency_tier).toBe("Low");
    expect(users.get(U.activeOnDays0And5And28)!.consistency_tier).toBe("Sparse");
    expect(users.get(U.activeOnDays0And5And27)!.consistency_tier).toBe("Medium");
  });

  it("leaves each window null one day before it is observed, and fills it on that day", async () => {
    const users = await byId(complete, "dm_user_purchase_summary");
    expect(users.get(U.observed180Days)!.ltv_180d).not.toBeNull();
    expect(users.get(U.observed179Days)!.ltv_180d).toBeNull();
    expect(users.get(U.observed119Days)!.is_retained_90d).toBe(true);
    expect(users.get(U.observed118Days)!.is_retained_90d).toBeNull();
    expect(users.get(U.observed209Days)!.is_retained_180d).toBe(true);
    expect(users.get(U.observed208Days)!.is_retained_180d).toBeNull();
    const rhythm = await byId(complete, "dm_behavior_consistency");
    expect(rhythm.get(U.observed27Days)!.consistency_tier).toBe("High");
    expect(rhythm.get(U.observed26Days)!.consistency_tier).toBeNull();
  });

  it("flags June partial on June 29 and complete on June 30, with no growth or index while partial", async () => {
    const june = (rows: TruthRow[]) => rows.filter((r) => r.order_month === "2025-06-01");
    const onLastDay = june(await complete.mart("dm_category_performance"));
    const dayBefore = june(await partial.mart("dm_category_performance"));
    expect(onLastDay.length).toBeGreaterThan(0);
    expect(onLastDay.every((r) => r.is_partial_month === false)).toBe(true);
    expect(onLastDay.every((r) => r.seasonality_index !== null)).toBe(true);
    expect(dayBefore.every((r) => r.is_partial_month === true)).toBe(true);
    expect(dayBefore.every((r) => r.seasonality_index === null)).toBe(true);
    expect(dayBefore.every((r) => r.revenue_growth_mom === null)).toBe(true);
  });

  it("dates an order at a month's last second in that month", async () => {
    const shoes = (await complete.mart("dm_category_performance")).filter(
      (r) => r.category === "Shoes",
    );
    expect(shoes.find((r) => r.order_month === "2025-05-01")!.revenue).toBeGreaterThanOrEqual(45);
    expect(shoes.find((r) => r.order_month === "2025-05-01")!.revenue_growth_yoy).not.toBeNull();
  });

  const spenders = async (run: Run) =>
    [...(await byId(run, "dm_user_purchase_summary")).values()].filter(
      (u) => (u.ltv_180d as number) > 0,
    );
  const centsOf = (u: TruthRow) => Math.round((u.ltv_180d as number) * 100);

  it("puts a run of equal LTVs on the P33: the tied users share one tier", async () => {
    const spent = await spenders(complete);
    const p33 = exactPercentile(
      spent.map((u) => fraction(centsOf(u))),
      MART_PARAMETERS.cltv_mid_min_percentile,
    );
    expect(p33.num % p33.den).toBe(0n);
    const tied = spent.filter((u) => centsOf(u) === Number(p33.num / p33.den));
    expect(tied.length).toBeGreaterThan(2);
    expect(new Set(tied.map((u) => u.cltv_tier))).toEqual(new Set(["Mid"]));
  });

  it("puts a spender exactly on the P66, between different neighbours, in the upper tier", async () => {
    const spent = await spenders(partial);
    const n = spent.length;
    expect((MART_PARAMETERS.cltv_high_min_percentile * (n - 1)) % 100).toBe(0);
    const sorted = spent.map(centsOf).sort((a, b) => a - b);
    const index = (MART_PARAMETERS.cltv_high_min_percentile * (n - 1)) / 100;
    expect(sorted[index - 1]).toBeLessThan(sorted[index]!);
    expect(sorted[index]).toBeLessThan(sorted[index + 1]!);
    const onThreshold = spent.find((u) => u.user_id === U.spenderExactlyOnP66OnJune29)!;
    expect(centsOf(onThreshold)).toBe(sorted[index]);
    expect(onThreshold.cltv_tier).toBe("High");
  });

  it("never puts a zero-spend user above the Zero tier", async () => {
    for (const run of [complete, partial]) {
      const users = [...(await byId(run, "dm_user_purchase_summary")).values()];
      const zero = users.filter((u) => u.ltv_180d === 0);
      expect(zero.length).toBeGreaterThan(0);
      expect(zero.every((u) => u.cltv_tier === "Zero")).toBe(true);
    }
  });

  it("keeps a buyer silent exactly the tier's P75 off the reactivation list, one day more on it", async () => {
    const buyers = await byId(complete, "dm_churn_risk");
    expect(buyers.get(U.silentForExactlyTierP75)).toMatchObject({
      tier_cycle_p75_days: 33,
      is_reactivation_target: false,
    });
    expect(buyers.get(U.silentOneDayBeyondTierP75)!.is_reactivation_target).toBe(true);
    expect(buyers.get(U.silentForExactlyInterpolatedP75)).toMatchObject({
      days_since_last_purchase: 7,
      is_reactivation_target: false,
    });
    expect(buyers.get(U.silentForExactlyInterpolatedP75)!.tier_cycle_p75_days).toBeCloseTo(7, 9);
    expect(buyers.get(U.silentOneDayBeyondInterpolatedP75)!.is_reactivation_target).toBe(true);
  });

  it("counts a campaign order on day N-1 inside the N-day window and on day N outside, and waits for day N-1", async () => {
    const users = new Map(
      (await complete.mart("dm_campaign_users")).map((r) => [`${r.campaign_id} ${r.user_id}`, r]),
    );
    expect(users.get(`RCB-A ${U.campaignOrdersOnDays3And13}`)).toMatchObject({
      is_reactivated_7d: true,
      is_reactivated_14d: true,
    });
    expect(users.get(`RCB-A ${U.campaignOrderOnDay14}`)).toMatchObject({
      is_reactivated_14d: false,
      is_reactivated_28d: true,
      is_reactivated_in_category_28d: false,
    });
    expect(users.get(`RCB-B ${U.campaignOrderOnDay6}`)!.is_reactivated_7d).toBe(true);
    expect(users.get(`RCB-B ${U.campaignOrderOnDay7}`)!.is_reactivated_7d).toBe(false);
    expect(users.get(`RCB-B ${U.campaignOrderOnDay27}`)).toMatchObject({
      is_reactivated_28d: true,
      is_reactivated_in_category_28d: true,
    });
    expect(users.get(`RCB-B ${U.campaignOrderOnDay28}`)!.is_reactivated_28d).toBe(false);
    const observed28 = [...users.values()].find((r) => r.campaign_id === "RCB-C")!;
    expect(observed28.days_observed).toBe(28);
    expect(observed28.is_reactivated_28d).not.toBeNull();
    const dayBefore = await partial.mart("dm_campaign_users");
    const c = dayBefore.find((r) => r.campaign_id === "RCB-C")!;
    expect(c).toMatchObject({ days_observed: 27, is_reactivated_28d: null });
    expect(c.is_reactivated_14d).not.toBeNull();
    const d = dayBefore.find((r) => r.campaign_id === "RCB-D")!;
    expect(d).toMatchObject({ days_observed: 6, is_reactivated_7d: null });
    expect(users.has(`RCB-D ${U.anomaly}`)).toBe(false);
    expect([...users.keys()].some((k) => k.startsWith("RCB-E"))).toBe(false);
  });

  it("reads the guardrail on the threshold: at most the stated share of the messaged may block", async () => {
    const summary = await complete.mart("dm_campaign_summary");
    const treated = summary.find(
      (r) => r.campaign_id === "RCB-A" && r.experiment_group === "treatment",
    )!;
    expect(treated).toMatchObject({ users_messaged: 2, users_blocked: 1, block_rate: 0.5 });
    expect(treated.is_block_rate_within_max).toBe(false);
    const onThreshold = summary.find(
      (r) => r.campaign_id === "RCB-F" && r.experiment_group === "treatment",
    )!;
    expect(onThreshold).toMatchObject({ users_messaged: 20, users_blocked: 1 });
    expect(onThreshold.is_block_rate_within_max).toBe(true);
    const control = summary.find(
      (r) => r.campaign_id === "RCB-A" && r.experiment_group === "control",
    )!;
    expect(control).toMatchObject({ users_messaged: 0, block_rate: null });
  });

  it("costs a negative expected revenue nothing: the cost model takes a share of a gain only", async () => {
    const roi = await complete.mart("dm_campaign_roi");
    const reached = roi.filter((r) => (r.reachable_users as number) > 0);
    expect(reached.length).toBeGreaterThan(0);
    for (const r of reached) {
      expect(r.expected_incremental_revenue as number).toBeLessThan(0);
      expect(r.campaign_cost).toBe(0);
      expect(r.roi).toBeNull();
    }
  });

  it("breaks ties as documented: the lower order_id is the first order, the lower product_id the gateway", async () => {
    const users = await byId(complete, "dm_user_purchase_summary");
    expect(users.get(U.firstOrdersAtTheSameInstant)).toMatchObject({ first_order_is_promo: true });
    expect(users.get(U.firstOrderLinesOfEqualAmount)).toMatchObject({
      first_purchase_category: "Shoes",
    });
  });

  it("counts a cohort's period 0 from day 1: the signup visit alone is no return, a visit on day 1 is", async () => {
    const cohorts = await complete.mart("dm_cohort_retention");
    const cell = (granularity: string, start: string) =>
      cohorts.find(
        (r) =>
          r.cohort_granularity === granularity &&
          r.cohort_start === start &&
          Number(r.period_offset) === 0,
      );
    // The seven signups of 2024-09-01 (the anomaly left out): U01..U03 came back on days 13, 14
    // and 29; U06's only session in its first 30 days is its signup visit.
    expect(cell("month", "2024-09-01")).toMatchObject({ observed_users: 7, active_users: 3 });
    expect(cell("week", "2024-08-26")).toMatchObject({ observed_users: 7, active_users: 0 });
    const early = await byId(complete, "dm_user_purchase_summary");
    expect(early.get(U.onlyTheSignupVisitInPeriod0)!.signup_date).toBe("2024-09-01");
    // The week of 2025-06-16: U16 came back on day 5, U17 on day 1 and never before.
    expect(cell("week", "2025-06-16")).toMatchObject({ observed_users: 2, active_users: 2 });
    expect(early.get(U.firstReturnOnDay1)!.signup_date).toBe("2025-06-18");
  });

  it("leaves the anomaly-flagged user out of every user-level mart", async () => {
    for (const name of [
      "dm_user_purchase_summary",
      "dm_behavior_consistency",
      "dm_churn_risk",
      "rfm_daily",
    ] as const) {
      expect([name, (await byId(complete, name)).has(U.anomaly)]).toEqual([name, false]);
    }
    const sessions = await complete.mart("dm_funnel_sessions");
    expect(sessions.some((s) => s.user_id === U.anomaly)).toBe(false);
  });
});

/**
 * A bulk run takes the RFM snapshots of a whole range in one query. Each date of it must be the
 * snapshot that date's own oracle gives: buyers, recency, the date's own monetary percentiles,
 * and orders on a month end counted in that month's snapshot, not in the one before.
 */
describe.each([
  ["one query", undefined],
  ["a query per month", 1],
])("the RFM snapshots of a range from January to the partial run date, in %s", (_how, maxRows) => {
  let warehouse: DuckDbWarehouse;
  let taken: RfmSnapshotTaken[];
  beforeAll(async () => {
    warehouse = await openTestWarehouse();
    await loadBoundaryFixture(warehouse.connection);
    taken = await takeRfmSnapshots(warehouse, BOUNDARY_RUN_DATE_PARTIAL, "2025-01-15", maxRows);
  }, 120_000);
  afterAll(() => warehouse.close());

  it("takes one at every month end of the range and on its last day", () => {
    expect(taken.map((t) => t.snapshotDate)).toEqual([
      "2025-01-31",
      "2025-02-28",
      "2025-03-31",
      "2025-04-30",
      "2025-05-31",
      BOUNDARY_RUN_DATE_PARTIAL,
    ]);
  });

  it("makes each date's snapshot equal to that date's oracle, column by column", async () => {
    const raw = await readTruthRaw(warehouse.connection);
    const segmentMap = await warehouse.query<SegmentMapRow>(
      "select * from snapshots.rfm_segment_map",
    );
    const rows = await readMartRows(warehouse.connection, "snapshots", "rfm_daily");
    for (const { snapshotDate, users } of taken) {
      const truth = rfmDailyTruth(raw, epochDay(snapshotDate), segmentMap) as unknown as TruthRow[];
      const written = rows.filter((r) => r.snapshot_date === snapshotDate);
      expect([snapshotDate, users, written.length]).toEqual([
        snapshotDate,
        truth.length,
        truth.length,
      ]);
      expect([snapshotDate, compareWithOracle(written, truth, ORACLE_KEYS.rfm_daily)]).toEqual([
        snapshotDate,
        [],
      ]);
    }
  });
});
