import { DuckDbWarehouse } from "../../../functions/src/backends/duckdbWarehouse";
import { RAW_TABLE_NAMES } from "../../../functions/src/contract";
import { DUCKDB_TYPES } from "../../../functions/src/contract/duckdbDdl";
import { PIPELINE_RUNS } from "../../../functions/src/contract/metaTables";
import { DEFAULT_GENERATE_OPTIONS, generateShop } from "../../../functions/src/generator";
import { runMarts } from "../../../functions/src/marts/runMarts";

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
  await generateShop(warehouse.connection, REPORT_SHOP);
  for (const table of RAW_TABLE_NAMES)
    await warehouse.connection.run(`insert into raw.${table} select * from gen.${table}`);
  await warehouse.connection.run("drop schema gen cascade");
  if (options.hostile) {
    await warehouse.connection.run(
      `update raw.products set category = '${HOSTILE_CATEGORY.replace(/'/g, "''")}' where category = 'Books'`,
    );
  }
  await runMarts(warehouse, { runDate: EARLIER_RUN_DATE });
  await runMarts(warehouse, { runDate: REPORT_SHOP.endDate });
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
    const columns = PIPELINE_RUNS.columns
      .map((c) => `${c.name} ${DUCKDB_TYPES[c.type]}`)
      .join(", ");
    await warehouse.connection.run(`create table snapshots.pipeline_runs (${columns})`);
    await warehouse.connection.run(`insert into snapshots.pipeline_runs by name select
      'run-1' as run_id, 'bulk' as run_kind, 'w1' as world_id, date '2024-01-01' as days_start,
      date '${REPORT_SHOP.endDate}' as days_end, date '${REPORT_SHOP.endDate}' as data_through,
      timestamptz '2026-01-01 06:00:00+00' as started_at, timestamptz '2026-01-01 06:03:10+00' as finished_at,
      'succeeded' as status, null as failed_step, null as error, '{}' as rows_json`);
  }
  return warehouse;
}
