/**
 * The code of `npm start`'s stages after the load (the marts, with the CLV fit and the tests'
 * arithmetic, and the report) and of its orders path, required when first needed instead of when
 * the command starts. Loaded up front it held the main thread before DuckDB had anything to do:
 * the generator's first statement came 0.88-1.05 s after the process started, against 0.57-0.79 s
 * with it loaded later (four alternating runs each). `warmLaterStages` loads it while DuckDB
 * generates, when the main thread is waiting anyway.
 */
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
 * Loads the marts' and the report's code from the next macrotask, so a statement dispatched in
 * this one is already running. A module that fails to load fails again, with its error, at first
 * use.
 */
export function warmLaterStages(): void {
  setImmediate(() => {
    try {
      marts();
      report();
    } catch {
      // reported at first use
    }
  });
}
