import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { generateAndLoad } from "../pipeline/generateAndLoad";
import { clvCalibration, type Calibration } from "./calibration";
import { refreshClvSnapshot } from "./refreshClv";

/**
 * The models against the synthetic shop's own future, at the reference scale (30,000 users,
 * seed 42): fitted on the buyers up to a snapshot, the next 180 days' predictions are compared
 * with what those buyers then did. Two windows: the first half of 2025 (no Black Friday, and the
 * shop's cheaper baskets), and the second half (the dearer baskets of August to December, and
 * Black Friday). A 3,000-user shop has too few repeat buyers for these claims (a dozen of type
 * C): the same window was 40% under there and 22% under here. docs/clv.md has the numbers and
 * the reasons.
 */
const WINDOWS = {
  /**
   * Predictions for 2025-01-02..2025-06-30. The buyers are young (most first bought during the
   * 2024 ramp-up), and the one-time buyers the model ranks lowest for their long silence include
   * steady B buyers who come back: the top decile buys 4.4 times as often as the bottom one
   * (measured), so the claim here is 3 times.
   */
  firstHalf: { snapshot: "2025-01-01", horizonEnd: "2025-06-30", topOverBottom: 3 },
  /** Predictions for 2025-07-04..2025-12-30 (180 days): the original claim, 5 times (measured 14). */
  yearEnd: { snapshot: "2025-07-03", horizonEnd: "2025-12-30", topOverBottom: 5 },
} as const;
type Window = keyof typeof WINDOWS;

/** Types with fewer repeat buyers than this are left out of P(alive) comparisons (D has one). */
const MIN_REPEAT_BUYERS = 30;

let dir: string;
let warehouse: DuckDbWarehouse;
const calibration = {} as Record<Window, Calibration>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clv-calibration-"));
  warehouse = await DuckDbWarehouse.open({ path: ":memory:" });
  await generateAndLoad(
    {
      seed: 42,
      users: 30_000,
      startDate: "2024-01-01",
      dateRange: { start: "2024-01-01", end: "2025-12-31" },
    },
    { lake: new LocalLake(join(dir, "lake")), warehouse },
  );
  for (const [name, { snapshot, horizonEnd }] of Object.entries(WINDOWS) as [
    Window,
    (typeof WINDOWS)[Window],
  ][]) {
    expect((await refreshClvSnapshot(warehouse, snapshot)).status).toBe("fitted");
    calibration[name] = await clvCalibration(warehouse, snapshot, horizonEnd);
  }
}, 600_000);
afterAll(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

const ratios = (c: Calibration) => ({
  transactions: c.total.predictedTransactions / c.total.actualTransactions,
  revenue: c.total.predictedValue / c.total.actualRevenue,
});

describe.each(Object.keys(WINDOWS) as Window[])(
  "CLV calibration at the reference scale, %s window",
  (window) => {
    it("ranks buyers: the top decile of predictions buys far more than the bottom one", () => {
      const { deciles } = calibration[window];
      const [bottom, top] = [deciles[0]!, deciles[9]!];
      const times = WINDOWS[window].topOverBottom;
      expect(top.actualTransactions).toBeGreaterThan(times * bottom.actualTransactions);
      expect(top.actualRevenue).toBeGreaterThan(times * bottom.actualRevenue);
    });

    it("predicts the next 180 days' purchase days and revenue in total within 30%", () => {
      const { transactions, revenue } = ratios(calibration[window]);
      expect(Math.abs(transactions - 1)).toBeLessThan(0.3);
      expect(Math.abs(revenue - 1)).toBeLessThan(0.3);
    });

    it("under-predicts revenue, and more than purchase days: the value per purchase day is low", () => {
      // Future purchase days come mostly from type B, who spend more per purchase than the
      // population mean the Gamma-Gamma predictions are shrunk toward.
      const { transactions, revenue } = ratios(calibration[window]);
      expect(revenue).toBeLessThan(1);
      expect(revenue).toBeLessThan(transactions);
    });

    it("over-predicts the type that fades (A) and under-predicts the type that stays (B)", () => {
      const { A, B } = calibration[window].totalByType;
      expect(A!.predictedTransactions / A!.actualTransactions).toBeGreaterThan(2);
      expect(B!.predictedTransactions / B!.actualTransactions).toBeLessThan(0.8);
    });

    it("gives the planted steady type B the highest P(alive) among repeat buyers, distinguishably above the fading type A", () => {
      const c = calibration[window];
      const others = Object.keys(c.repeatBuyersByType).filter(
        (t) => t !== "B" && c.repeatBuyersByType[t]! >= MIN_REPEAT_BUYERS,
      );
      expect(others.sort()).toEqual(["A", "C"]);
      for (const t of others) {
        expect({ type: t, bHigher: welchT(c, "B", t) > 0 }).toEqual({ type: t, bHigher: true });
      }
      // C's repeat buyers sit within noise of B's since the reactivation campaign (model 4):
      // docs/clv.md gives the figures. Against A the gap is many standard errors.
      expect(welchT(c, "B", "A")).toBeGreaterThan(2);
    });
  },
);

describe("CLV calibration across the two windows", () => {
  it("is further under on the value per purchase day in the year-end window (dearer baskets)", () => {
    const perPurchaseDay = (w: Window) =>
      ratios(calibration[w]).revenue / ratios(calibration[w]).transactions;
    expect(perPurchaseDay("yearEnd")).toBeLessThan(perPurchaseDay("firstHalf") - 0.05);
  });

  it("gives every one-time buyer P(alive) 1, as the model's drop-out follows a purchase", async () => {
    const [row] = await warehouse.query<{ one_time: number; below_one: number }>(
      `select countif(frequency = 0) as one_time, countif(frequency = 0 and p_alive < 1) as below_one
       from snapshots.clv_daily where snapshot_date = @snapshot_date`,
      { snapshot_date: { date: WINDOWS.yearEnd.snapshot } },
    );
    expect(Number(row!.one_time)).toBeGreaterThan(1000);
    expect(Number(row!.below_one)).toBe(0);
  });
});

/** Welch's t of the difference in mean P(alive) between two types' repeat buyers. */
function welchT(c: Calibration, x: string, y: string): number {
  const term = (t: string) => c.pAliveSdByTypeRepeatBuyers[t]! ** 2 / c.repeatBuyersByType[t]!;
  return (
    (c.pAliveByTypeRepeatBuyers[x]! - c.pAliveByTypeRepeatBuyers[y]!) / Math.sqrt(term(x) + term(y))
  );
}
