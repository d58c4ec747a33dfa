import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { DEFAULT_GENERATE_OPTIONS } from "../generator";
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
  await runMarts(warehouse, { runDate: RUN_DATE, fromDate: SHOP.startDate });
}, 300_000);
afterAll(() => warehouse.close());

describe("the CLV fit and the significance tests in a worker thread", () => {
  it("write what the main thread wrote", async () => {
    // beforeAll ran the marts with the computations on the main thread (the shop is below the
    // row threshold); the same run with every computation in the worker must change nothing.
    // Numbers are compared to 9 significant digits: the history SQL sums doubles in parallel, so
    // two runs on one thread already differ in the last bits of a buyer's spend, and the fit
    // carries that to about 1e-9 of the predictions.
    const rounded = (rows: Record<string, unknown>[]) =>
      rows.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            typeof v === "number" ? Number(v.toPrecision(9)) : v,
          ]),
        ),
      );
    const written = async () => ({
      daily: rounded(
        await warehouse.query("select * from snapshots.clv_daily order by snapshot_date, user_id"),
      ),
      fit: rounded(
        await warehouse.query("select * exclude (fitted_at) from snapshots.clv_fit order by 1"),
      ),
      tests: rounded(await warehouse.query("select * from marts.dm_stat_tests order by test_id")),
    });
    const here = await written();
    expect(here.daily.length).toBeGreaterThan(100);
    expect(here.fit[0]!.gamma_gamma_q).toBeGreaterThan(1);
    expect(here.tests.map((t) => t.method)).toContain("bootstrap_bca");
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
    } finally {
      run.mockRestore();
    }
    expect(await written()).toEqual(here);
  }, 120_000);
});
