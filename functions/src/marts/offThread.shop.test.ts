import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { DEFAULT_GENERATE_OPTIONS } from "../generator";
import { computeClv, type ClvComputation, type HistoryRow } from "../clv/refreshClv";
import { statTestRows, type StatTestInputs } from "../statTests/refreshStatTests";
import type { StatTestRow } from "../statTests/testRows";
import { OffThread } from "./offThread";
import { runMarts } from "./runMarts";
import { loadGeneratedShop, openTestWarehouse } from "./testing/testWarehouse";

/** A small shop of the reference calendar: a few hundred buyers, enough for both CLV fits. */
const SHOP = { ...DEFAULT_GENERATE_OPTIONS, seed: 42, users: 3000 };
const RUN_DATE = SHOP.endDate;

let warehouse: DuckDbWarehouse;

beforeAll(async () => {
  warehouse = await openTestWarehouse();
  await loadGeneratedShop(warehouse, SHOP);
}, 300_000);
afterAll(() => warehouse.close());

describe("the CLV fit and the significance tests in a worker thread", () => {
  it("write what the calling thread computes from the same inputs", async () => {
    // Compared with the inputs the run itself read: the history SQL sums doubles in parallel, so
    // two runs already differ in the last bits of a buyer's spend, and the fit carries that
    // further. On the same inputs the worker must give exactly the calling thread's results.
    const run = jest.spyOn(OffThread.prototype, "run");
    try {
      await runMarts(warehouse, {
        runDate: RUN_DATE,
        fromDate: SHOP.startDate,
        offThreadMinRows: 0,
      });
      expect(run.mock.calls.map(([name, , , minRows]) => [name, minRows])).toEqual([
        ["statTests", 0],
        ["clv", 0],
      ]);
      const [statsCall, clvCall] = run.mock.calls as unknown as [
        [string, StatTestInputs],
        [string, { rows: HistoryRow[]; snapshotDate: string; fittedAt: string }],
      ];
      const [tests, clv] = (await Promise.all(run.mock.results.map((r) => r.value))) as [
        StatTestRow[],
        ClvComputation,
      ];
      expect(tests).toEqual(statTestRows(statsCall[1]));
      expect(tests.map((t) => t.method)).toContain("bootstrap_bca");
      const { rows, snapshotDate, fittedAt } = clvCall[1];
      expect(clv).toEqual(computeClv(rows, snapshotDate, fittedAt));
      if (clv.status !== "fitted") throw new Error(`the CLV fit was skipped: ${clv.reason}`);
      expect(clv.daily.length).toBeGreaterThan(100);
      expect(clv.gammaGamma?.params.q).toBeGreaterThan(1);
      // What the worker computed is what the tables hold.
      const stored = await warehouse.query<{ user_id: string; p_alive: number }>(
        "select user_id, p_alive from snapshots.clv_daily where snapshot_date = @d order by user_id",
        { d: { date: RUN_DATE } },
      );
      expect(stored).toEqual(clv.daily.map((r) => ({ user_id: r.user_id, p_alive: r.p_alive })));
      const ids = await warehouse.query<{ test_id: string }>(
        "select test_id from marts.dm_stat_tests order by test_id",
      );
      expect(ids.map((r) => r.test_id)).toEqual(tests.map((t) => String(t.test_id)).sort());
    } finally {
      run.mockRestore();
    }
  }, 120_000);
});
