import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { generateAndLoad } from "../pipeline/generateAndLoad";
import { clvCalibration, type Calibration } from "./calibration";
import { refreshClvSnapshot } from "./refreshClv";

/**
 * The models against the synthetic shop's own future: fitted on a small shop up to a snapshot,
 * the next 180 days' predictions are compared with what the shop then did. The figures at the
 * reference scale are in docs/clv.md.
 */
const SNAPSHOT = "2025-07-03";
const HORIZON_END = "2025-12-30"; // 180 days after the snapshot

let dir: string;
let warehouse: DuckDbWarehouse;
let calibration: Calibration;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clv-calibration-"));
  warehouse = await DuckDbWarehouse.open({ path: ":memory:" });
  await generateAndLoad(
    {
      seed: 42,
      users: 3000,
      startDate: "2024-01-01",
      dateRange: { start: "2024-01-01", end: "2025-12-31" },
    },
    { lake: new LocalLake(join(dir, "lake")), warehouse },
  );
  const summary = await refreshClvSnapshot(warehouse, SNAPSHOT);
  expect(summary.status).toBe("fitted");
  calibration = await clvCalibration(warehouse, SNAPSHOT, HORIZON_END);
});
afterAll(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

describe("CLV calibration on the synthetic shop (3,000 users, snapshot 2025-07-03)", () => {
  it("ranks buyers: the top decile of predictions buys far more than the bottom one", () => {
    const [bottom, top] = [calibration.deciles[0]!, calibration.deciles[9]!];
    expect(top.actualTransactions).toBeGreaterThan(5 * bottom.actualTransactions);
    expect(top.actualRevenue).toBeGreaterThan(5 * bottom.actualRevenue);
  });

  it("predicts the next 180 days' purchase days and revenue in total within 30%", () => {
    const { total } = calibration;
    expect(Math.abs(total.predictedTransactions / total.actualTransactions - 1)).toBeLessThan(0.3);
    expect(Math.abs(total.predictedValue / total.actualRevenue - 1)).toBeLessThan(0.3);
  });

  it("gives the planted steady type B the highest P(alive) among repeat buyers", () => {
    const byType = calibration.pAliveByTypeRepeatBuyers;
    const others = Object.entries(byType).filter(([t, v]) => t !== "B" && Number.isFinite(v));
    expect(others.length).toBeGreaterThan(0);
    for (const [, value] of others) expect(byType.B).toBeGreaterThan(value);
  });

  it("gives one-time buyers P(alive) 1, so type means over all buyers favour one-time types", () => {
    // Type D's buyers never came back: the model cannot see them drop out (docs/clv.md).
    expect(calibration.pAliveByType.D).toBe(1);
  });
});
