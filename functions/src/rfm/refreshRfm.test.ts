import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { openTestWarehouse } from "../marts/testing/testWarehouse";
import { loadHandFixture } from "../marts/testing/handFixture";
import { queryRows } from "../warehouse/duckdb";
import { RfmRefreshError, refreshRfmSnapshot, wholeMonthRuns } from "./refreshRfm";

interface HistoryRow {
  user_id: string;
  segment: string;
  valid_from: string;
  valid_to: string | null;
  is_current: boolean;
}

let warehouse: DuckDbWarehouse;

beforeEach(async () => {
  warehouse = await openTestWarehouse();
  await loadHandFixture(warehouse.connection);
});
afterEach(() => warehouse.close());

const history = (): Promise<HistoryRow[]> =>
  queryRows<HistoryRow>(
    warehouse.connection,
    `select user_id, segment, valid_from::varchar as valid_from, valid_to::varchar as valid_to, is_current
    from snapshots.rfm_segment_history order by user_id, valid_from`,
  );

const snapshotSegments = async (date: string): Promise<Map<string, string>> =>
  new Map(
    (
      await queryRows<{ user_id: string; segment: string }>(
        warehouse.connection,
        `select user_id, segment from snapshots.rfm_daily where snapshot_date = date '${date}'`,
      )
    ).map((r) => [r.user_id, r.segment]),
  );

describe("refreshRfmSnapshot", () => {
  it("writes one snapshot and one history row per buyer, and the same again on a re-run", async () => {
    const first = await refreshRfmSnapshot(warehouse, "2024-12-31");
    const historyAfterFirst = await history();
    const second = await refreshRfmSnapshot(warehouse, "2024-12-31");

    const [count] = await queryRows<{ n: number; users: number }>(
      warehouse.connection,
      "select count(*)::int as n, count(distinct user_id)::int as users from snapshots.rfm_daily",
    );
    expect(count).toEqual({ n: first.users, users: first.users });
    expect(await history()).toEqual(historyAfterFirst);
    expect(historyAfterFirst).toHaveLength(first.users);
    expect(second).toEqual(first);
  });

  it("reports users per segment for all nine segments, summing to the snapshot's users", async () => {
    const summary = await refreshRfmSnapshot(warehouse, "2024-12-31");
    expect(Object.keys(summary.segments)).toHaveLength(9);
    expect(Object.values(summary.segments).reduce((a, b) => a + b, 0)).toBe(summary.users);
    expect(summary.users).toBeGreaterThan(0);
  });

  it("closes changed segments, opens new ones and reports the movements between snapshots", async () => {
    await refreshRfmSnapshot(warehouse, "2024-06-30");
    const summary = await refreshRfmSnapshot(warehouse, "2024-12-31");
    const before = await snapshotSegments("2024-06-30");
    const after = await snapshotSegments("2024-12-31");

    const expected = new Map<string, number>();
    for (const [user, segment] of after) {
      const from = before.get(user) ?? null;
      if (from !== segment)
        expected.set(`${from}>${segment}`, (expected.get(`${from}>${segment}`) ?? 0) + 1);
    }
    const got = new Map(summary.movements.map((m) => [`${m.from}>${m.to}`, m.users]));
    expect(got).toEqual(expected);
    expect(expected.size).toBeGreaterThan(0);

    const rows = await history();
    for (const [user, segment] of after) {
      const current = rows.filter((r) => r.user_id === user && r.is_current);
      expect(current).toEqual([expect.objectContaining({ segment, valid_to: null })]);
      const from = before.get(user);
      if (from !== undefined && from !== segment) {
        expect(rows).toContainEqual({
          user_id: user,
          segment: from,
          valid_from: "2024-06-30",
          valid_to: "2024-12-31",
          is_current: false,
        });
      }
    }
  });

  it("leaves the history as one run would when the later date is refreshed twice", async () => {
    await refreshRfmSnapshot(warehouse, "2024-06-30");
    await refreshRfmSnapshot(warehouse, "2024-12-31");
    const once = await history();
    await refreshRfmSnapshot(warehouse, "2024-12-31");
    expect(await history()).toEqual(once);
  });

  it("refuses a date before the latest applied snapshot and changes nothing", async () => {
    await refreshRfmSnapshot(warehouse, "2024-12-31");
    const before = await history();
    await expect(refreshRfmSnapshot(warehouse, "2024-06-30")).rejects.toThrow(RfmRefreshError);
    await expect(refreshRfmSnapshot(warehouse, "2024-06-30")).rejects.toThrow(/before the latest/);
    expect(await history()).toEqual(before);
    expect((await snapshotSegments("2024-06-30")).size).toBe(0);
  });

  it("rejects a malformed snapshot date by value", async () => {
    await expect(refreshRfmSnapshot(warehouse, "2024-02-30")).rejects.toThrow(/2024-02-30/);
    await expect(refreshRfmSnapshot(warehouse, "yesterday")).rejects.toThrow(/yesterday/);
  });
});

describe("wholeMonthRuns", () => {
  it("cuts a range on month ends, a leap February included, and ends the last run on the range's end", () => {
    expect(wholeMonthRuns("2024-01-15", "2024-04-10", 2)).toEqual([
      { from: "2024-01-15", to: "2024-02-29" },
      { from: "2024-03-01", to: "2024-04-10" },
    ]);
    expect(wholeMonthRuns("2024-11-01", "2025-12-31", 7)).toEqual([
      { from: "2024-11-01", to: "2025-05-31" },
      { from: "2025-06-01", to: "2025-12-31" },
    ]);
  });

  it("keeps a range whole when no limit is set, and a single day as one run", () => {
    expect(wholeMonthRuns("2024-01-01", "2025-12-31", Infinity)).toEqual([
      { from: "2024-01-01", to: "2025-12-31" },
    ]);
    expect(wholeMonthRuns("2024-03-05", "2024-03-05", 1)).toEqual([
      { from: "2024-03-05", to: "2024-03-05" },
    ]);
    // A limit far beyond the range (a few buyers) is one run, not a date in year 10,000.
    expect(wholeMonthRuns("2024-03-01", "2024-05-31", 133_333)).toEqual([
      { from: "2024-03-01", to: "2024-05-31" },
    ]);
    expect(wholeMonthRuns("2024-03-01", "2024-05-31", 3)).toEqual([
      { from: "2024-03-01", to: "2024-05-31" },
    ]);
    expect(wholeMonthRuns("2024-03-01", "2024-05-31", 2)).toEqual([
      { from: "2024-03-01", to: "2024-04-30" },
      { from: "2024-05-01", to: "2024-05-31" },
    ]);
  });

  it("refuses a run of less than one month", () => {
    expect(() => wholeMonthRuns("2024-01-01", "2024-12-31", 0)).toThrow(/at least one month/);
  });
});
