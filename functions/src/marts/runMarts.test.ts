import type { Warehouse } from "../backends/types";
import { queryRows } from "../warehouse/duckdb";
import { MARTS } from "./catalog";
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
  it("builds every declared mart with rows, in dependency order, reporting progress", async () => {
    const progress: string[] = [];
    const runs = await runMarts(warehouse, {
      runDate: HAND_FIXTURE_RUN_DATE,
      onProgress: (name) => progress.push(name),
    });
    expect(runs.map((r) => r.name)).toEqual(progress);
    expect(new Set(progress)).toEqual(new Set(MARTS.map((m) => m.name)));
    for (const run of runs) {
      expect(run.rows).toBeGreaterThan(0);
      expect(run.seconds).toBeGreaterThanOrEqual(0);
    }
    const counts = await tableCounts();
    for (const run of runs) expect(counts[run.name]).toBe(run.rows);
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

  it("rejects a malformed run date before touching the warehouse", async () => {
    await expect(runMarts(warehouse, { runDate: "2024-02-30" })).rejects.toThrow(/2024-02-30/);
  });

  it("names the mart that failed", async () => {
    const failing: Warehouse = {
      kind: "duckdb",
      ensureRawTables: () => warehouse.ensureRawTables(),
      replacePartitions: (loads) => warehouse.replacePartitions(loads),
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
        expect(target.partition).toEqual({ column: m.partitioning!.column, date: "2024-12-31" });
      } else {
        expect(target.partition).toBeUndefined();
      }
    }
  });
});
