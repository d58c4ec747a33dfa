/**
 * The code of `npm start`'s stages after the load (the marts, with the CLV fit and the tests'
 * arithmetic, and the report) and of its orders path, required when first needed instead of when
 * the command starts. Loaded up front it held the main thread before DuckDB had anything to do:
 * the generator's first statement came 0.88-1.05 s after the process started, against 0.57-0.79 s
 * with it loaded later (four alternating runs each). `warmLaterStages` loads it while DuckDB
 * generates, when the main thread is waiting anyway.
 */

import { summaryQueryTexts } from "./cli/summary";
import { prepareRendererSnapshot } from "./report/charts/rendererSnapshot";

type MartsModule = typeof import("../functions/src/marts/runMarts");
type ChecksModule = typeof import("../functions/src/checks");
type TemplatesModule = typeof import("../functions/src/sql/duckdbTemplates");
type ReportModule = typeof import("./report");
type OrdersModule = typeof import("../functions/src/orders/ordersToWarehouse");

/* eslint-disable @typescript-eslint/no-require-imports -- required late on purpose, see above */
const marts = () => require("../functions/src/marts/runMarts") as MartsModule;
const report = () => require("./report") as ReportModule;
const orders = () => require("../functions/src/orders/ordersToWarehouse") as OrdersModule;
const checks = () => require("../functions/src/checks") as ChecksModule;
const templates = () => require("../functions/src/sql/duckdbTemplates") as TemplatesModule;
/* eslint-enable @typescript-eslint/no-require-imports */

export const runMarts: MartsModule["runMarts"] = (...args) => marts().runMarts(...args);
export const writeReport: ReportModule["writeReport"] = (...args) => report().writeReport(...args);
export const ordersToWarehouse: OrdersModule["ordersToWarehouse"] = (...args) =>
  orders().ordersToWarehouse(...args);

/**
 * Loads the marts' and the report's code while DuckDB works without the main thread, from the
 * next macrotask, so a statement dispatched in this one is already running, then translates ahead
 * the queries of the checks, the marts, the report and the summary (`translateAhead`). Once per
 * process; the promise settles when the translations are done and never rejects.
 * The checks and marts are translated from BigQuery's dialect, and the translator's first use
 * loads a 22 MB WebAssembly module and holds the main thread for about 0.2-0.4 s: in the checks,
 * DuckDB waited for it (checks 1.98-2.43 s against 1.42-1.72 s warmed, three alternating runs).
 * Translations kept by an earlier run (`keepTranslationsIn`) are read back instead, and the module
 * is loaded only if a text was not kept. A failure here shows again, with its error, at first use.
 * Then it builds the chart renderer's startup snapshot if none is kept (`rendererSnapshot.ts`).
 */
export function warmLaterStages(): Promise<void> {
  warming ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
    try {
      marts();
      report();
    } catch {
      // reported at first use
    }
    await translateAhead().catch(() => undefined);
    // Built when no earlier run kept it (the first run after `npm ci`), so this run's report
    // starts its renderer from it too.
    void prepareRendererSnapshot();
  });
  return warming;
}

/** The process's one warming, settled when its translations are done. */
let warming: Promise<void> | undefined;

/**
 * Translates every query of the checks, the marts, the report and the summary into the process's
 * DuckDB templates, one per macrotask, so that DuckDB's callbacks are never held for more than
 * one translation. The checks ran two at a time and the marts one after another, and each waited
 * for its own translation on the main thread: 0.2 s in each stage. Warmed while DuckDB generates
 * the shop, they translate nothing (checks 1.32-1.58 s against 1.56-1.88 s, marts 4.11-4.53 s
 * against 4.33-4.54 s, four alternating runs); the report's reasons are in `reportQueryTexts`. A
 * text that fails to translate here fails again, with its error, at its use.
 */
async function translateAhead(): Promise<void> {
  const day = { date: "2000-01-01" }; // any date: a template holds a placeholder in its place
  const params = { run_date: day, from_date: day, snapshot_date: day };
  const texts = [
    ...checks().checkQueryTexts(),
    ...marts().chainQueryTexts(),
    ...report().reportQueryTexts(),
    ...summaryQueryTexts(),
  ];
  for (const sql of texts) {
    await templates()
      .DUCKDB_TEMPLATES.render(sql, params)
      .catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
