import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { martByName } from "../functions/src/marts/catalog";
import { martSql } from "../functions/src/marts/martParameters";
import { martTarget } from "../functions/src/marts/targets";
import { initTranslator, toDuckDb } from "../functions/src/sql/translate";
import { renderParams } from "../functions/src/sql/render";
(async () => {
  await initTranslator();
  const w = await DuckDbWarehouse.open({ path: "/tmp/ref1/warehouse.duckdb" });
  const params = { run_date: { date: "2025-12-31" }, from_date: { date: "2025-12-31" } };
  for (const name of ["dm_funnel_sessions", "dm_user_purchase_summary"]) {
    const decl = martByName(name);
    let t = performance.now();
    const sql = await toDuckDb(renderParams(martSql(decl), params));
    console.log(name, "translate", ((performance.now() - t) / 1000).toFixed(2));
    t = performance.now();
    await w.materialize(martTarget(decl, "2025-12-31"), martSql(decl), params);
    console.log(name, "plain", ((performance.now() - t) / 1000).toFixed(2));
    t = performance.now();
    await w.atomically((x) => x.materialize(martTarget(decl, "2025-12-31"), martSql(decl), params));
    console.log(name, "atomic", ((performance.now() - t) / 1000).toFixed(2));
    t = performance.now();
    await w.connection.run(`create or replace table marts.x as ${sql}`);
    console.log(name, "raw create", ((performance.now() - t) / 1000).toFixed(2));
  }
  await w.close();
})();
