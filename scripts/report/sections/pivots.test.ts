import { summariseCategories } from "./categoryPerformance";
import { cohortCells, isShaded } from "./cohortRetention";
import { byKnownOrder } from "./common";
import { sumFunnel } from "./funnel";

describe("cohort cells", () => {
  const row = (cohort: string, offset: number, users: number, observed: number) => ({
    cohort_start: cohort,
    period_offset: offset,
    cohort_users: users,
    observed_users: observed,
    active_users: Math.round(observed / 2),
    retention_rate: 0.5,
  });

  it("are ordered oldest cohort first, then by period", () => {
    const cells = cohortCells([
      row("2025-02-01", 0, 50, 50),
      row("2025-01-01", 1, 40, 40),
      row("2025-01-01", 0, 40, 40),
    ]);
    expect(cells.map((c) => [c.cohort, c.offset])).toEqual([
      ["2025-01", 0],
      ["2025-01", 1],
      ["2025-02", 0],
    ]);
  });

  it("are shaded only when enough of the cohort is observed in the period", () => {
    // The case: 121 observed users of a cohort of 1,881 is a rate on too few.
    expect(isShaded({ cohortUsers: 1881, observedUsers: 121 })).toBe(false);
    expect(isShaded({ cohortUsers: 1881, observedUsers: 1881 })).toBe(true);
    expect(isShaded({ cohortUsers: 40, observedUsers: 29 })).toBe(false);
    expect(isShaded({ cohortUsers: 40, observedUsers: 30 })).toBe(true);
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
