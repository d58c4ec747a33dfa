/**
 * The code of `npm start`'s stages after the load (the marts, with the CLV fit and the tests'
 * arithmetic, and the report) and of its orders path, required when first needed instead of when
 * the command starts. Loaded up front it held the main thread before DuckDB had anything to do:
 * the generator's first statement came 0.88-1.05 s after the process started, against 0.57-0.79 s
 * with it loaded later (four alternating runs each). `warmLaterStages` loads it while DuckDB
 * generates, when the main thread is waiting anyway.
 */
import { initTranslator } from "../functions/src/sql/translate";

type MartsModule = typeof import("../functions/src/marts/runMarts");
type ReportModule = typeof import("./report");
type OrdersModule = typeof import("../functions/src/orders/ordersToWarehouse");

/* eslint-disable @typescript-eslint/no-require-imports -- required late on purpose, see above */
const marts = () => require("../functions/src/marts/runMarts") as MartsModule;
const report = () => require("./report") as ReportModule;
const orders = () => require("../functions/src/orders/ordersToWarehouse") as OrdersModule;
/* eslint-enable @typescript-eslint/no-require-imports */

export const runMarts: MartsModule["runMarts"] = (...args) => marts().runMarts(...args);
export const writeReport: ReportModule["writeReport"] = (...args) => report().writeReport(...args);
export const ordersToWarehouse: OrdersModule["ordersToWarehouse"] = (...args) =>
  orders().ordersToWarehouse(...args);

/**
 * Loads the SQL translator and the marts' and the report's code while DuckDB works without the
 * main thread, from the next macrotask, so a statement dispatched in this one is already running.
 * The checks and marts are translated from BigQuery's dialect, and the translator's first use
 * loads a 22 MB WebAssembly module and holds the main thread for about 0.2-0.4 s: in the checks,
 * DuckDB waited for it (checks 1.98-2.43 s against 1.42-1.72 s warmed, three alternating runs).
 * A failure here shows again, with its error, at first use.
 */
export function warmLaterStages(): void {
  setImmediate(() => {
    void initTranslator().catch(() => undefined);
    try {
      marts();
      report();
    } catch {
      // reported at first use
    }
  });
}
