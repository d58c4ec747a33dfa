import type { Warehouse } from "../backends/types";
import { queryRows } from "../warehouse/duckdb";
import { CLV_STEP_TABLES, nightlyChain } from "../chain/nightlyChain";
import { martByName, MARTS } from "./catalog";
import { martTarget, runMarts } from "./runMarts";
import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { openTestWarehouse } from "./testing/testWarehouse";
import { HAND_FIXTURE_RUN_DATE, loadHandFixture } from "./testing/handFixture";

let warehouse: DuckDbWarehouse;

beforeAll(async () => {
  warehouse = await openTestWarehouse();
  await loadHandFixture(warehouse.connection);
});
afterAll(() => warehouse.close());

async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const m of MARTS) {
    const [row] = await queryRows<{ n: number }>(
      warehouse.connection,
      `select count(*)::int as n from ${m.dataset}.${m.name}`,
    );
    counts[m.name] = row!.n;
  }
  const [history] = await queryRows<{ n: number }>(
    warehouse.connection,
    "select count(*)::int as n from snapshots.rfm_segment_history",
  );
  counts.rfm_segment_history = history!.n;
  return counts;
}

describe("runMarts", () => {
  it("runs the marts in the nightly chain's order, the one the cloud workflow is generated from", async () => {
    const progress: string[] = [];
    await runMarts(warehouse, {
      runDate: HAND_FIXTURE_RUN_DATE,
      onProgress: (name) => progress.push(name),
    });
    const chain = nightlyChain().flatMap((s) =>
      s.kind === "mart"
        ? [s.name]
        : s.kind === "snapshot" || s.kind === "clv" || s.kind === "stats"
          ? [...s.produces]
          : [],
    );
    expect(progress).toEqual(chain);
  });

  it("builds every declared mart and the significance tests with rows, in dependency order, reporting progress", async () => {
    const progress: string[] = [];
    const runs = await runMarts(warehouse, {
      runDate: HAND_FIXTURE_RUN_DATE,
      onProgress: (name) => progress.push(name),
    });
    expect(runs.map((r) => r.name)).toEqual(progress);
    expect(new Set(progress)).toEqual(
      new Set([...MARTS.map((m) => m.name), ...CLV_STEP_TABLES, "dm_stat_tests"]),
    );
    expect(progress[progress.length - 1]).toBe("dm_stat_tests");
    // Eleven buyers are too few for the CLV models: the step says so, and the mart of predicted
    // value per segment has nothing to show (docs/clv.md).
    const clv = runs.find((r) => r.name === "clv_daily")!;
    expect(clv.skipped).toMatch(/degenerated.*too little data/);
    const withoutClv = runs.filter(
      (r) =>
        !(CLV_STEP_TABLES as readonly string[]).includes(r.name) && r.name !== "dm_clv_segments",
    );
    for (const run of withoutClv) {
      expect(run.rows).toBeGreaterThan(0);
      expect(run.seconds).toBeGreaterThanOrEqual(0);
    }
    const counts = await tableCounts();
    for (const run of runs.filter((r) => r.name in counts && r.name !== "dm_stat_tests"))
      expect(counts[run.name]).toBe(run.rows);
    expect(counts.dm_clv_segments).toBe(0);
    const [tests] = await queryRows<{ n: number }>(
      warehouse.connection,
      "select count(*)::int as n from marts.dm_stat_tests",
    );
    expect(tests!.n).toBe(runs.find((r) => r.name === "dm_stat_tests")!.rows);
    expect(counts.rfm_segment_history).toBe(counts.rfm_daily);
  });

  it("replaces, never appends: a second run for the same date leaves the same row counts", async () => {
    await runMarts(warehouse, { runDate: HAND_FIXTURE_RUN_DATE });
    const once = await tableCounts();
    await runMarts(warehouse, { runDate: HAND_FIXTURE_RUN_DATE });
    expect(await tableCounts()).toEqual(once);
  });

  it("adds a partition for another date to the per-date marts and rebuilds the rest", async () => {
    await runMarts(warehouse, { runDate: HAND_FIXTURE_RUN_DATE });
    const [before] = await queryRows<{ n: number }>(
      warehouse.connection,
      "select count(distinct kpi_date)::int as n from marts.dm_kpi_daily",
    );
    const runs = await runMarts(warehouse, { runDate: "2025-01-05" });
    const [after] = await queryRows<{ n: number }>(
      warehouse.connection,
      "select count(distinct kpi_date)::int as n from marts.dm_kpi_daily",
    );
    expect(after!.n).toBe(before!.n + 1);
    expect(runs.find((r) => r.name === "dm_kpi_daily")!.rows).toBe(1);
  });

  it("leaves each mart and its columns described in DuckDB's catalog (COMMENT ON)", async () => {
    await runMarts(warehouse, { runDate: HAND_FIXTURE_RUN_DATE });
    const comments = await warehouse.connection.runAndReadAll(
      `select table_name, column_name, comment from duckdb_columns()
       where schema_name in ('marts', 'snapshots')`,
    );
    const rows = comments.getRowObjectsJson() as {
      table_name: string;
      column_name: string;
      comment: string | null;
    }[];
    // Every declared mart (the segment history is created by its own SQL, not declared).
    const declared = new Set(MARTS.map((m) => m.name));
    const missing = rows
      .filter((r) => declared.has(r.table_name) && !r.comment)
      .map((r) => `${r.table_name}.${r.column_name}`);
    expect(missing).toEqual([]);
    expect(
      rows.find((r) => r.table_name === "dm_kpi_daily" && r.column_name === "dau")?.comment,
    ).toBe("Users with at least one session that day.");
    const tables = await warehouse.connection.runAndReadAll(
      "select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'dm_kpi_daily'",
    );
    expect(tables.getRowObjectsJson()).toEqual([
      { comment: martByName("dm_kpi_daily").description },
    ]);
  });

  it("rejects a malformed run date before touching the warehouse", async () => {
    await expect(runMarts(warehouse, { runDate: "2024-02-30" })).rejects.toThrow(/2024-02-30/);
  });

  it("names the mart that failed", async () => {
    const failing: Warehouse = {
      kind: "duckdb",
      ensureRawTables: () => warehouse.ensureRawTables(),
      replacePartitions: (loads) => warehouse.replacePartitions(loads),
      readManifest: () => warehouse.readManifest(),
      writeManifest: (m) => warehouse.writeManifest(m),
      recordRun: (r) => warehouse.recordRun(r),
      atomically: (work) => work(failing),
      query: (sql, params) => warehouse.query(sql, params),
      materialize: () => Promise.reject(new Error("boom")),
      writeRows: (table, rows, partition) => warehouse.writeRows(table, rows, partition),
      execute: (sql, params) => warehouse.execute(sql, params),
      close: () => warehouse.close(),
    };
    await expect(runMarts(failing, { runDate: HAND_FIXTURE_RUN_DATE })).rejects.toThrow(
      /Mart dm_\w+ failed: boom/,
    );
  });

  it("targets one date partition for per-date marts and the whole table otherwise", () => {
    for (const m of MARTS) {
      const target = martTarget(m, "2024-12-31");
      expect(target.dataset).toBe(m.dataset);
      if (m.materialization.kind === "partition") {
        expect(target.partition).toEqual({
          column: m.partitioning!.column,
          date: "2024-12-31",
          from: "2024-12-31",
        });
      } else {
        expect(target.partition).toBeUndefined();
      }
    }
  });

  it("targets a run of days for a date-spine mart, and one day for the others", () => {
    const spine = MARTS.find((m) => m.name === "dm_kpi_daily")!;
    expect(martTarget(spine, "2024-12-31", "2024-01-01").partition).toEqual({
      column: "kpi_date",
      date: "2024-12-31",
      from: "2024-01-01",
    });
    const snapshot = MARTS.find((m) => m.name === "rfm_daily")!;
    expect(martTarget(snapshot, "2024-12-31", "2024-01-01").partition).toEqual({
      column: "snapshot_date",
      date: "2024-12-31",
      from: "2024-01-01",
    });
    const oneDay = {
      ...spine,
      materialization: { kind: "partition", parameter: "run_date" },
    } satisfies typeof spine;
    expect(martTarget(oneDay, "2024-12-31", "2024-01-01").partition?.from).toBe("2024-12-31");
  });

  it("writes every day of a range into a date-spine mart, as one query, and each day again alone", async () => {
    await runMarts(warehouse, { runDate: HAND_FIXTURE_RUN_DATE });
    const first = "2024-12-01";
    const runs = await runMarts(warehouse, {
      runDate: HAND_FIXTURE_RUN_DATE,
      fromDate: first,
    });
    expect(runs.find((r) => r.name === "dm_kpi_daily")!.rows).toBe(31);
    const ranged = await queryRows(
      warehouse.connection,
      `select * from marts.dm_kpi_daily where kpi_date >= date '${first}' order by kpi_date`,
    );
    // No snapshot: the history already holds a later one, and snapshots go in date order.
    await runMarts(warehouse, { runDate: "2024-12-15", snapshotFrom: null });
    const day = await queryRows(
      warehouse.connection,
      "select * from marts.dm_kpi_daily where kpi_date = date '2024-12-15'",
    );
    expect(day).toEqual(ranged.filter((r) => r.kpi_date === "2024-12-15"));
  });

  it("takes the RFM snapshot at every month end from snapshotFrom and on the run date, and refuses a range after it", async () => {
    const runs = await runMarts(warehouse, { runDate: "2025-03-10", snapshotFrom: "2025-01-10" });
    const taken = await queryRows<{ d: string }>(
      warehouse.connection,
      "select distinct cast(snapshot_date as varchar) as d from snapshots.rfm_daily where snapshot_date >= date '2025-01-10' order by 1",
    );
    expect(taken.map((r) => r.d)).toEqual(["2025-01-31", "2025-02-28", "2025-03-10"]);
    expect(runs.find((r) => r.name === "rfm_daily")!.partitions).toBe(3);
    await expect(
      runMarts(warehouse, { runDate: "2025-03-31", snapshotFrom: "2025-04-01" }),
    ).rejects.toThrow(/snapshotFrom 2025-04-01 is after runDate 2025-03-31/);
  });
});
