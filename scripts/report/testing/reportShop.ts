import { DuckDbWarehouse } from "../../../functions/src/backends/duckdbWarehouse";
import { DEFAULT_GENERATE_OPTIONS } from "../../../functions/src/generator";
import { runMarts } from "../../../functions/src/marts/runMarts";
import { loadGeneratedShop } from "../../../functions/src/marts/testing/testWarehouse";

/** A small shop over the reference calendar: every mart gets rows, in seconds. */
export const REPORT_SHOP = { ...DEFAULT_GENERATE_OPTIONS, seed: 11, users: 600 };

/** A day a month before the end: the marts run for it first, so RFM has two snapshots to compare. */
export const EARLIER_RUN_DATE = "2025-11-30";

export const HOSTILE_CATEGORY = `<script>alert("x")</script> & Co`;

/**
 * A warehouse holding the report shop's raw tables and marts, refreshed for two run dates (so the
 * segment moves have two snapshots). `hostile` renames a category to markup, to check it reaches
 * the page as text; `runRecord` adds a `snapshots.pipeline_runs` row as the daily cycle writes it.
 */
export async function openReportShop(
  path: string,
  options: { hostile?: boolean; runRecord?: boolean } = {},
): Promise<DuckDbWarehouse> {
  const warehouse = await DuckDbWarehouse.open({ path });
  await warehouse.ensureRawTables();
  await loadGeneratedShop(warehouse, REPORT_SHOP);
  if (options.hostile) {
    await warehouse.connection.run(
      `update raw.products set category = '${HOSTILE_CATEGORY.replace(/'/g, "''")}' where category = 'Books'`,
    );
  }
  // As npm start does: every day of dm_kpi_daily; an RFM snapshot on each run date.
  await runMarts(warehouse, { runDate: EARLIER_RUN_DATE, fromDate: REPORT_SHOP.startDate });
  await runMarts(warehouse, { runDate: REPORT_SHOP.endDate, fromDate: REPORT_SHOP.startDate });
  // The latest cohort's next period observed for a quarter of its users, with a high rate: the
  // cell the old heatmap shaded darkest on a handful of users (the shop is too small to have one).
  await warehouse.connection.run(`insert into marts.dm_cohort_retention
    select cohort_granularity, cohort_start, 1, cohort_users, cohort_users // 4,
           (cohort_users // 4) * 3 // 4, ((cohort_users // 4) * 3 // 4) / (cohort_users // 4),
           retention_90d, retention_180d
    from marts.dm_cohort_retention
    where cohort_granularity = 'month' and period_offset = 0
      and cohort_start = (select max(cohort_start) from marts.dm_cohort_retention
                          where cohort_granularity = 'month')`);
  if (options.runRecord) {
    await warehouse.recordRun({
      runId: "run-1",
      runKind: "bulk",
      worldId: "w1",
      daysStart: "2024-01-01",
      daysEnd: REPORT_SHOP.endDate,
      dataThrough: REPORT_SHOP.endDate,
      startedAt: "2026-01-01T06:00:00Z",
      finishedAt: "2026-01-01T06:03:10Z",
      status: "succeeded",
      failedStep: null,
      error: null,
      rows: {},
    });
  }
  return warehouse;
}
