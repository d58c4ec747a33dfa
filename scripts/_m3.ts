import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { initTranslator, toDuckDb } from "../functions/src/sql/translate";
import { renderParams } from "../functions/src/sql/render";
import { execSync } from "node:child_process";
(async () => {
  await initTranslator();
  const w = await DuckDbWarehouse.open({ path: "/tmp/ref1/warehouse.duckdb" });
  const params = { run_date: { date: "2025-12-31" }, snapshot_date: { date: "2025-12-31" } };
  for (let i = 0; i < 2; i++) for (const f of ["dm_funnel_sessions", "dm_user_purchase_summary"]) {
    const old = execSync(`git show 41b4456:sql/marts/${f}.sql`).toString();
    const sql = await toDuckDb(renderParams(old, params));
    const t = performance.now();
    await w.connection.run(`create or replace table marts.x as ${sql}`);
    console.log(f, "old raw create", ((performance.now() - t) / 1000).toFixed(2));
  }
  await w.close();
})();
