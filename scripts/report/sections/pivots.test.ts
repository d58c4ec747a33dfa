import { summariseCategories } from "./categoryPerformance";
import { pivotCohorts } from "./cohortRetention";
import { byKnownOrder } from "./common";
import { sumFunnel } from "./funnel";

describe("pivotCohorts", () => {
  it("turns cohort x offset rows into one row per cohort, oldest first, offsets sorted", () => {
    const { cohorts, offsets } = pivotCohorts([
      { cohort_start: "2025-02-01", period_offset: 0, cohort_users: 5, retention_rate: 1 },
      { cohort_start: "2025-01-01", period_offset: 1, cohort_users: 4, retention_rate: 0.5 },
      { cohort_start: "2025-01-01", period_offset: 0, cohort_users: 4, retention_rate: 1 },
    ]);
    expect(offsets).toEqual([0, 1]);
    expect(cohorts.map((c) => [c.cohort, c.users, [...c.rates]])).toEqual([
      [
        "2025-01-01",
        4,
        [
          [1, 0.5],
          [0, 1],
        ],
      ],
      ["2025-02-01", 5, [[0, 1]]],
    ]);
  });
});

describe("summariseCategories", () => {
  const month = (category: string, m: string, revenue: number, extra: object = {}) => ({
    category,
    order_month: m,
    is_partial_month: false,
    revenue,
    orders: 2,
    units: 3,
    revenue_growth_mom: null,
    seasonality_index: revenue / 100,
    promo_revenue_share: 0.5,
    ...extra,
  });

  it("totals each category, largest first, and skips a partial month as the latest", () => {
    const [top, second] = summariseCategories([
      month("Books", "2025-01-01", 10),
      month("Toys", "2025-01-01", 100),
      month("Toys", "2025-02-01", 150, { revenue_growth_mom: 0.5 }),
      month("Toys", "2025-03-01", 20, { is_partial_month: true }),
    ]);
    expect(top).toMatchObject({
      category: "Toys",
      revenue: 270,
      orders: 6,
      units: 9,
      promoRevenue: 135,
      latestMonth: "2025-02",
      latestRevenue: 150,
      latestGrowth: 0.5,
      peakMonth: "2025-02",
    });
    expect(second?.category).toBe("Books");
  });
});

describe("sumFunnel", () => {
  it("adds sessions and each step's sessions across groups", () => {
    const total = sumFunnel(
      [
        { device: "iOS", userType: "A", sessions: 10, steps: [10, 5, 3, 2, 1] },
        { device: "Web", userType: "A", sessions: 4, steps: [4, 2, 1, 1, 0] },
      ],
      "All",
      "A",
    );
    expect(total).toEqual({ device: "All", userType: "A", sessions: 14, steps: [14, 7, 4, 3, 1] });
  });
});

describe("byKnownOrder", () => {
  it("puts known values in their order and the rest after them alphabetically", () => {
    expect(byKnownOrder(["z", "Low", "a", "High"], (v) => v, ["High", "Low"])).toEqual([
      "High",
      "Low",
      "a",
      "z",
    ]);
  });
});
