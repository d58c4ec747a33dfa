import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { runMarts } from "../functions/src/marts/runMarts";
import { monthEndSnapshotDates } from "../functions/src/rfm/snapshotDates";
import { initTranslator } from "../functions/src/sql/translate";
(async () => {
  await initTranslator();
  const w = await DuckDbWarehouse.open({ path: "/tmp/ref1/warehouse.duckdb" });
  await w.execute("delete from snapshots.rfm_segment_history where true");
  const t = performance.now();
  const runs = await runMarts(w, { runDate: "2025-12-31", fromDate: "2024-01-01", snapshotDates: monthEndSnapshotDates("2024-01-01", "2025-12-31") });
  for (const r of runs) console.log(r.name.padEnd(28), r.seconds.toFixed(2));
  console.log("total", ((performance.now() - t) / 1000).toFixed(2));
  await w.close();
})();
