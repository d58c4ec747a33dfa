import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { DEFAULT_GENERATE_OPTIONS } from "../generator";
import { runMarts } from "../marts/runMarts";
import { loadGeneratedShop, openTestWarehouse } from "../marts/testing/testWarehouse";
import { rateAgainstThreshold, twoProportionTest, welchTTest } from "../stats";
import { refreshStatTests, StatTestsError } from "./refreshStatTests";
import { campaignTestRows } from "./campaignTests";
import { readSql } from "../sql/sqlFiles";
import { renderMartParameters } from "../marts/martParameters";
import { TRADEOFF_INPUTS_SQL, tradeoffTestRows, type TradeoffInput } from "./tradeoffTests";

/** A small shop with the reference calendar: big enough for the planted trade-off. */
const SHOP = { ...DEFAULT_GENERATE_OPTIONS, users: 3000 };
const RUN_DATE = SHOP.endDate;

interface TestRow {
  test_id: string;
  scope: string;
  method: string;
  metric: string;
  group_a: string;
  group_b: string;
  n_a: number;
  n_b: number;
  mean_a: number;
  mean_b: number;
  estimate: number;
  statistic: number | null;
  df: number | null;
  p_value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  verdict: string;
}

let warehouse: DuckDbWarehouse;
let rows: TestRow[];
const row = (metric: string, groupA: string, method: string): TestRow => {
  const found = rows.find(
    (r) => r.metric === metric && r.group_a === groupA && r.method === method,
  );
  if (!found) throw new Error(`no ${method} row for ${metric} of ${groupA}`);
  return found;
};

beforeAll(async () => {
  warehouse = await openTestWarehouse();
  await loadGeneratedShop(warehouse, SHOP);
  await runMarts(warehouse, { runDate: RUN_DATE, fromDate: SHOP.startDate });
  rows = await warehouse.query<TestRow>("select * from marts.dm_stat_tests");
}, 300_000);
afterAll(() => warehouse.close());

describe("the significance-test step in the chain", () => {
  it("writes one row per test, each with a unique id, the run date and a verdict", () => {
    expect(rows.length).toBeGreaterThanOrEqual(9);
    expect(new Set(rows.map((r) => r.test_id)).size).toBe(rows.length);
    expect(rows.every((r) => r.verdict !== null && r.verdict !== "")).toBe(true);
  });

  it("computes the LTV test from the mart's own values (a query of its own, not the step's)", async () => {
    const ltv = async (type: string) =>
      (
        await warehouse.query<{ v: number }>(
          "select ltv_180d as v from marts.dm_user_purchase_summary where user_type = @t and ltv_180d is not null",
          { t: type },
        )
      ).map((r) => r.v);
    const expected = welchTTest(await ltv("A"), await ltv("B"));
    const got = row("ltv_180d", "user_type A", "welch_t");
    expect([got.n_a, got.n_b]).toEqual([expected.nX, expected.nY]);
    expect(got.statistic).toBeCloseTo(expected.statistic, 10);
    expect(got.p_value).toBeCloseTo(expected.pValue, 12);
    expect(got.ci_low).toBeCloseTo(expected.ciLow, 8);
  });

  it("counts 14-day conversion only for users observed 14 days", async () => {
    const [counts] = await warehouse.query<{ n: number; converted: number }>(
      `select count(*) as n, countif(is_converted_14d) as converted
       from marts.dm_user_purchase_summary where is_promo_signup and days_observed >= 14`,
    );
    const got = row("is_converted_14d", "signup_promo Promo", "two_proportion_z");
    expect(got.n_a).toBe(Number(counts!.n));
    expect(got.mean_a).toBeCloseTo(Number(counts!.converted) / Number(counts!.n), 12);
  });

  it("names the fastest-converting type A against the highest-LTV type B, as the generator planted them", () => {
    expect(row("ltv_180d", "user_type A", "welch_t").group_b).toBe("user_type B");
  });

  it("finds A's 180-day LTV significantly below B's by every method, and A converting faster", () => {
    for (const method of ["welch_t", "mann_whitney_u", "bootstrap_bca"]) {
      const r = row("ltv_180d", "user_type A", method);
      expect([method, r.estimate < 0, r.verdict]).toEqual([method, true, "significant"]);
    }
    expect(row("ltv_180d", "user_type A", "bootstrap_bca").ci_high).toBeLessThan(0);
    const conversion = row("is_converted_14d", "user_type A", "two_proportion_z");
    expect(conversion.estimate).toBeGreaterThan(0);
    expect(conversion.verdict).toBe("significant");
  });

  it("finds promotion signups converting significantly more often, and steady rhythms worth more", () => {
    const promo = row("is_converted_14d", "signup_promo Promo", "two_proportion_z");
    expect(promo.estimate).toBeGreaterThan(0);
    expect(promo.p_value).toBeLessThan(0.05);
    const rhythm = row("ltv_180d", "consistency_tier High", "welch_t");
    expect(rhythm.estimate).toBeGreaterThan(0);
    expect(rhythm.p_value).toBeLessThan(0.05);
  });

  it("tests each campaign's uplift as the two-proportion test of the summary mart's counts, treatment against control", async () => {
    const summary = await warehouse.query<{
      campaign_id: string;
      experiment_group: string;
      users_observed_28d: number;
      reactivation_rate_28d: number;
    }>("select * from marts.dm_campaign_summary");
    const campaigns = [...new Set(summary.map((r) => r.campaign_id))];
    expect(campaigns.length).toBeGreaterThanOrEqual(4);
    for (const id of campaigns) {
      const group = (g: string) =>
        summary.find((r) => r.campaign_id === id && r.experiment_group === g)!;
      const [t, c] = [group("treatment"), group("control")];
      const k = (r: typeof t) => Math.round(r.reactivation_rate_28d * r.users_observed_28d);
      const expected = twoProportionTest(
        k(t),
        Number(t.users_observed_28d),
        k(c),
        Number(c.users_observed_28d),
      );
      const scope = id === "All campaigns" ? "all campaigns" : id;
      const got = rows.find(
        (r) =>
          r.scope === scope && r.metric === "is_reactivated_28d" && r.test_id.includes(":all:"),
      )!;
      expect([id, got.n_a, got.n_b]).toEqual([id, expected.nA, expected.nB]);
      expect(got.estimate).toBeCloseTo(expected.difference, 12);
      expect(got.p_value).toBeCloseTo(expected.pValue, 12);
      expect(got.ci_low).toBeCloseTo(expected.ciLow, 12);
      expect(got.ci_high).toBeCloseTo(expected.ciHigh, 12);
    }
  });

  it("reads the pooled guardrail as the binomial test of the blocked share against the threshold", async () => {
    const [t] = await warehouse.query<{ users_messaged: number; users_blocked: number }>(
      "select * from marts.dm_campaign_summary where campaign_id = 'All campaigns' and experiment_group = 'treatment'",
    );
    const expected = rateAgainstThreshold(
      Number(t!.users_blocked),
      Number(t!.users_messaged),
      0.05,
    );
    const got = rows.find((r) => r.scope === "all campaigns" && r.metric === "block_rate")!;
    expect(got.n_a).toBe(expected.n);
    expect(got.p_value).toBeCloseTo(expected.pValueAbove, 12);
    expect(got.ci_high).toBeCloseTo(expected.ciHigh, 12);
  });

  it("reads each group's values in one row, and tests them alike in whatever order they come", async () => {
    const inputs = await warehouse.query<TradeoffInput>(
      renderMartParameters(readSql(TRADEOFF_INPUTS_SQL)),
    );
    const groups = inputs.map((r) => `${r.question} / ${r.group_label}`);
    expect(new Set(groups).size).toBe(inputs.length);
    // Four user types in two questions, the consistency tiers, promo or not, paid or free.
    const tiers = await warehouse.query<{ n: number }>(
      "select count(distinct consistency_tier) as n from marts.dm_behavior_consistency",
    );
    expect(inputs.length).toBe(4 * 2 + Number(tiers[0]!.n) + 2 + 2);
    const users = await warehouse.query<{ n: number }>(
      "select count(*) as n from marts.dm_user_purchase_summary where ltv_180d is not null",
    );
    const ltv = inputs.filter((r) => r.question === "ltv_180d by user_type");
    expect(ltv.reduce((n, r) => n + r.group_values.length, 0)).toBe(Number(users[0]!.n));
    const shuffled = inputs.map((r) => ({ ...r, group_values: [...r.group_values].reverse() }));
    expect(tradeoffTestRows(RUN_DATE, shuffled)).toEqual(tradeoffTestRows(RUN_DATE, inputs));
  });

  it("replaces the table when run again for the same date", async () => {
    await refreshStatTests(warehouse, RUN_DATE);
    const again = await warehouse.query<TestRow>("select * from marts.dm_stat_tests");
    expect(again.length).toBe(rows.length);
    const key = (r: TestRow) => `${r.test_id} ${r.p_value} ${r.ci_low}`;
    expect(again.map(key).sort()).toEqual(rows.map(key).sort());
  });

  it("refuses a malformed run date before reading anything", async () => {
    await expect(refreshStatTests(warehouse, "2025-02-30")).rejects.toThrow(StatTestsError);
  });
});

describe("trade-off tests on too little data", () => {
  it("reports a group of one as not tested, saying why, instead of a number", () => {
    const inputs = [
      { question: "ltv_180d by user_type", group_label: "A", group_values: [10] },
      { question: "ltv_180d by user_type", group_label: "B", group_values: [70, "50.00"] },
      { question: "is_converted_14d by user_type", group_label: "A", group_values: [1] },
      { question: "is_converted_14d by user_type", group_label: "B", group_values: [0] },
    ];
    const tested = tradeoffTestRows("2025-01-31", inputs);
    const welch = tested.find((r) => r.method === "welch_t" && r.metric === "ltv_180d")!;
    expect(welch).toMatchObject({ verdict: "not tested", n_a: 1, n_b: 2, p_value: null });
    expect(welch.note).toMatch(/fewer than 2 users/);
    const rates = tested.find(
      (r) => r.method === "two_proportion_z" && r.group_a === "user_type A",
    )!;
    expect(rates.p_value).toBeCloseTo(twoProportionTest(1, 1, 0, 1).pValue, 12);
  });

  it("says there is nothing to compare when one type both converts fastest and is worth most", () => {
    const inputs = [
      { question: "ltv_180d by user_type", group_label: "A", group_values: [90] },
      { question: "ltv_180d by user_type", group_label: "B", group_values: [50] },
      { question: "is_converted_14d by user_type", group_label: "A", group_values: [1] },
      { question: "is_converted_14d by user_type", group_label: "B", group_values: [0] },
    ];
    const [first] = tradeoffTestRows("2025-01-31", inputs);
    expect(first).toMatchObject({ verdict: "not tested" });
    expect(first!.note).toMatch(/nothing to compare/);
  });
});

describe("campaign tests on too little data", () => {
  it("reports a campaign whose groups have fewer than two observed users as not tested, and no guardrail without messages", () => {
    const cell = (group: string, n: number, k: number, messaged: number) => ({
      campaign_id: "RC2025-01",
      slice: "all",
      experiment_group: group,
      users_messaged: messaged,
      users_blocked: 0,
      n_7d: n,
      k_7d: k,
      n_14d: n,
      k_14d: k,
      n_28d: n,
      k_28d: k,
      k_in_category_28d: k,
      k_other_category_28d: 0,
    });
    const tested = campaignTestRows("2025-01-31", [
      cell("treatment", 1, 1, 0),
      cell("control", 5, 1, 0),
    ]);
    expect(tested.filter((r) => r.method === "two_proportion_z")).toHaveLength(5);
    expect(tested.every((r) => r.verdict === "not tested")).toBe(true);
    const tested2 = campaignTestRows("2025-01-31", [
      cell("treatment", 4, 2, 4),
      cell("control", 5, 1, 0),
    ]);
    const uplift = tested2.find((r) => r.metric === "is_reactivated_28d")!;
    expect(uplift.estimate).toBeCloseTo(2 / 4 - 1 / 5, 12);
    expect(tested2.find((r) => r.metric === "block_rate")!.verdict).not.toBe("not tested");
  });
});
