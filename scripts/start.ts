// First: DuckDB's allocator reads its setting when the library loads (see the module).
import "./cli/duckdbAllocator";
import { relative, resolve } from "node:path";
import { rm } from "node:fs/promises";
import {
  DEFAULT_WAREHOUSE_MEMORY_LIMIT,
  DuckDbWarehouse,
} from "../functions/src/backends/duckdbWarehouse";
import { StagingLake } from "../functions/src/backends/stagingLake";
import { assertChecksPass, ChecksFailedError, runChecks } from "../functions/src/checks";
import { OrdersInputError } from "../functions/src/orders/inputError";
import { both } from "../functions/src/forEachLimited";
import { generateAndLoad } from "../functions/src/pipeline/generateAndLoad";
import {
  ordersWorld,
  syntheticWorld,
  worldDifferences,
  WorldMismatchError,
  type WorldIdentity,
  type WorldManifest,
} from "../functions/src/world/manifest";
import { RunTracker } from "../functions/src/world/runRecord";
import { START_COMMAND, startOptions, type StartOptions } from "./cli/args";
import { formatCheckSummary } from "./cli/checkSummary";
import { CommandError, EXIT as COMMAND_EXIT, runCommand, runMain } from "./cli/command";
import { ProgressLine } from "./cli/progress";
import { shownPath } from "./cli/shownPath";
import { formatCoverage, formatOrdersLoad } from "./cli/ordersSummary";
import { formatSummary, funnelRates, userTypeKpis } from "./cli/summary";
import {
  carryRunHistory,
  folderWorld,
  keepLakeForReuse,
  lakePath,
  previousLakePath,
  recordFailureInFolder,
  recoverSwap,
  removeOldData,
  stagingFolder,
  swapIn,
  warehousePath,
} from "./dataFolder";
import { ordersToWarehouse, runMarts, warmLaterStages, writeReport } from "./laterStages";
import type { MartRun } from "../functions/src/marts/runMarts";
import { keepTranslations } from "./cli/keptTranslations";
import { ChartSet } from "./report/charts/render";
import { keepRendererSnapshot } from "./report/charts/rendererSnapshot";

/** Points where a test can step in; the command line never sets them. */
export interface StartHooks {
  /** Runs after the load, before the checks: a test corrupts raw data here to see a check fail. */
  readonly beforeChecks?: (warehouse: DuckDbWarehouse) => Promise<void>;
  /**
   * Runs before each step (`generate`, `load`, `checks`, `marts`, `report`, `summary`, `swap`):
   * a test fails one to see the previous data survive.
   */
  readonly beforeStep?: (step: string) => Promise<void>;
}

/** Exit codes, as `--help` documents them: the shared ones, and 3 for another world. */
export const EXIT = {
  done: COMMAND_EXIT.ok,
  failed: COMMAND_EXIT.failed,
  usage: COMMAND_EXIT.usage,
  otherWorld: 3,
} as const;

/**
 * `npm start`: the whole pipeline on the embedded default, no credentials. Generates the shop
 * from the world's first day to `--end`, writes the lake, loads the DuckDB warehouse, runs the
 * data-quality checks (a failure stops here, exit 1, naming the check with sample rows),
 * refreshes the marts (every day of `dm_kpi_daily`, an RFM snapshot at every month end), writes
 * the static HTML report and prints a summary.
 *
 * All of it is built in a staging folder inside `--out` and swapped in at the end, so a failure
 * at any step leaves the previous data readable and records the failed run in its run record. A
 * folder holding another world is refused before anything is written (exit 3) unless
 * `--replace`. Bad flags exit 2 before any work.
 */
export function start(argv: readonly string[], hooks: StartHooks = {}): Promise<number> {
  return runCommand(START_COMMAND, argv, (args) => run(startOptions(args), hooks));
}

async function run(options: StartOptions, hooks: StartHooks): Promise<number> {
  const out = resolve(options.out);
  if (await recoverSwap(out)) process.stderr.write(`Completed an interrupted swap in ${out}\n`);
  void removeOldData(out);
  const held = await folderWorld(out);
  const frame = { hooks, memoryLimit: options.memoryLimit };
  if (options.orders)
    return buildInStaging(out, { ...frame, tracker: new RunTracker("orders") }, (b) =>
      loadOrders(options, held, b),
    );
  // The shop's world is known before anything is built: refuse another one first.
  const otherWorld = refusal(
    out,
    held,
    syntheticWorld({ seed: options.seed, users: options.users, startDate: options.start }),
    options.replace,
  );
  if (otherWorld !== null) return otherWorld;
  const days = { start: options.start, end: options.end };
  return buildInStaging(out, { ...frame, tracker: new RunTracker("bulk"), days }, (b) =>
    generateShop(options, b),
  );
}

/** Exit 3 with the differences when the folder holds another world, unless `--replace`. */
function refusal(
  out: string,
  held: WorldManifest | "unknown" | null,
  identity: WorldIdentity,
  replace: boolean,
): number | null {
  if (held === null || replace) return null;
  const differences =
    held === "unknown"
      ? ["no world manifest (data written by an earlier version)"]
      : worldDifferences(held, identity);
  if (differences.length === 0) return null;
  process.stderr.write(
    `npm start: ${new WorldMismatchError(shownPath(out), differences).message}: --replace ` +
      `discards it, or --out writes elsewhere.\n`,
  );
  return EXIT.otherWorld;
}

/** What a build in the staging folder is given: its backends, and how to time and record steps. */
interface Build {
  readonly out: string;
  readonly staging: string;
  readonly lake: StagingLake;
  readonly warehouse: DuckDbWarehouse;
  readonly tracker: RunTracker;
  readonly hooks: StartHooks;
  readonly progress: ProgressLine;
  /** Seconds per stage, in order, for the closing table. */
  readonly stages: [string, number][];
  /** Runs one named step: the run record names it if it fails, its time goes in `stages`. */
  step<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Runs the checks (those the source can answer), prints them as dbt does, stops on a failure. */
  checks(): Promise<void>;
  /** Records the run, writes the report, swaps the staging folder in; returns the report's path. */
  finish(record: Parameters<RunTracker["record"]>[0]): Promise<string>;
}

/**
 * Builds the data folder's new content in a staging folder inside it and swaps it in only when
 * every step has passed: a failure at any step leaves the previous data readable and records the
 * failed step in the folder's run record. A failing check keeps the staging folder for inspection.
 */
async function buildInStaging(
  out: string,
  frame: {
    readonly tracker: RunTracker;
    readonly hooks: StartHooks;
    readonly memoryLimit?: string;
    /** The days the run covers, when known before it starts (for a failure's record). */
    readonly days?: { start: string; end: string };
  },
  work: (build: Build) => Promise<number>,
): Promise<number> {
  const { tracker, hooks } = frame;
  const staging = await stagingFolder(out, tracker.runId);
  // Written over the files of the lake the last swap replaced (see `StagingLake`).
  const lake = await StagingLake.open(lakePath(staging), previousLakePath(out));
  const progress = new ProgressLine();
  const stages: [string, number][] = [];
  // The report's chart renderer starts now, while this process is small, and waits for the
  // charts. Started at the report, it was forked from a process of about 550 MiB: the fork took
  // 30-60 ms, and every page this process wrote after it faulted once more (copy on write, about
  // 14 us a fault on the 2-core machine of the README's figures). The report took 0.63-0.92 s
  // against 0.88-1.17 s, with 20k fewer faults per run (five alternating runs); the renderer's own
  // start (about 0.2 s of one core) now passes beside the generator's first steps.
  const charts = new ChartSet();
  let warehouse: DuckDbWarehouse | undefined;
  let keepStaging = false;
  try {
    warehouse = await DuckDbWarehouse.open({
      path: warehousePath(staging),
      memoryLimit: frame.memoryLimit ?? DEFAULT_WAREHOUSE_MEMORY_LIMIT,
      // A new file in the staging folder, from which no step deletes data rows: nothing to
      // reclaim, and merging the marts' partial row groups held their commit for 0.3 s.
      vacuum: false,
      // Checkpointed once, while the report's charts are drawn (see `finish`).
      deferCheckpoints: true,
    });
    const w = warehouse;
    const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      tracker.step = name;
      await hooks.beforeStep?.(name);
      const started = performance.now();
      const result = await run();
      progress.finish();
      stages.push([name, (performance.now() - started) / 1000]);
      return result;
    };
    const build: Build = {
      out,
      staging,
      lake,
      warehouse: w,
      tracker,
      hooks,
      progress,
      stages,
      step,
      async checks() {
        await hooks.beforeChecks?.(w);
        const results = await step("checks", () =>
          runChecks(w, { onProgress: (name, i, n) => progress.update("checks", name, i, n) }),
        );
        keepStaging = results.some((c) => c.violations > 0);
        process.stdout.write(`${formatCheckSummary(results)}\n`);
        assertChecksPass(results);
      },
      async finish(record) {
        await carryRunHistory(out, w);
        await w.recordRun(tracker.record(record));
        const report = await step("report", () =>
          writeReport(w, resolve(staging, "report.html"), {
            whileChartsRender: () => w.checkpoint(),
            charts,
          }),
        );
        return resolve(out, relative(staging, report.file));
      },
    };
    return await work(build);
  } catch (error) {
    progress.finish();
    await warehouse?.close().catch(() => undefined);
    // Another world was reported already; the folder's run record is that world's to keep.
    if (error instanceof OtherWorldError) return error.exitCode;
    await recordFailureInFolder(
      out,
      tracker.record({ status: "failed", worldId: null, days: frame.days ?? null, error }),
    );
    if (error instanceof ChecksFailedError) {
      process.stderr.write(
        `\n${error.message}\n\nNothing was replaced: ${shownPath(out)} holds the previous data. ` +
          `The failing data is kept for inspection in ${shownPath(staging)}\n`,
      );
      return EXIT.failed;
    }
    keepStaging = false;
    // Bad input in an orders file: one line naming file, row and column; nothing was replaced.
    if (error instanceof OrdersInputError)
      throw new CommandError(`${error.message}; nothing was written to ${shownPath(out)}`);
    // A step that fails is reported in one line, with its step; the previous data stays.
    throw new CommandError(
      `step ${tracker.step} failed; ${shownPath(out)} still holds the previous data: ${(error as Error).message}`,
    );
  } finally {
    charts.close(); // the renderer of a run that failed before its report
    if (!keepStaging) {
      await keepLakeForReuse(staging, out);
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/** The folder holds another world than the build made: already reported, exit 3. */
class OtherWorldError extends Error {
  readonly exitCode = EXIT.otherWorld;
}

/** `npm start`: the generated shop from its first day to `--end`. */
async function generateShop(options: StartOptions, b: Build): Promise<number> {
  const days = { start: options.start, end: options.end };
  const request = {
    seed: options.seed,
    users: options.users,
    startDate: options.start,
    dateRange: days,
  };
  const settings = options.memoryLimit ? { memoryLimit: options.memoryLimit } : {};
  const show = (p: { stage: string; detail: string; done: number; total: number }) => {
    b.progress.update(p.stage, p.detail, p.done, p.total);
    // The session draws are the generator's one long statement (1.6 s of its 2.7 s at the
    // reference scale): the translator loads while it runs, not between the lake write and the
    // load, where it held up the load's first statement (0.18 s in a profile); so does the code
    // of the later stages.
    if (p.stage === "generate" && p.detail === "sessions") void warmLaterStages();
  };
  const backends = { lake: b.lake, warehouse: b.warehouse };
  b.tracker.step = "generate";
  await b.hooks.beforeStep?.("generate");
  const written = await generateAndLoad({ ...request, stage: "lake" }, backends, show, settings);
  b.progress.finish();
  b.stages.push(["generate", written.seconds.generate], ["lake write", written.seconds.lake]);
  void warmLaterStages(); // started already unless the generator's steps were renamed: then here
  const loaded = await b.step("load", () =>
    // The previous lake's files this run did not write (days past its end, for one) go while the
    // warehouse loads, which reads only the files this run wrote: the sweep reads every day
    // folder on the main thread (about 0.2 s), which the load leaves idle. It ends before the
    // checks, so the staging lake is exactly this run's from then on, also when a check fails.
    both(
      () => generateAndLoad({ ...request, stage: "load" }, backends, show, settings),
      () => b.lake.removeUnwritten(),
    ).then(([summary]) => summary),
  );
  const rows = written.rows;
  await b.checks();
  const runs = await b.step("marts", () =>
    runMarts(b.warehouse, {
      runDate: options.end,
      fromDate: options.start,
      snapshotFrom: options.start,
      onProgress: (name, i, n) => b.progress.update("marts", name, i, n),
    }),
  );
  const report = await b.finish({
    status: "succeeded",
    worldId: loaded.world.worldId,
    days,
    dataThrough: loaded.dataThrough,
    rows,
  });
  const { kpis, funnel } = await b.step("summary", async () => ({
    kpis: await userTypeKpis(b.warehouse, options.end),
    funnel: await funnelRates(b.warehouse),
  }));
  await b.warehouse.close();
  await b.step("swap", () => swapIn(b.out, b.staging));
  process.stdout.write(
    `${formatSummary({
      rows,
      kpis,
      funnel,
      seconds: b.stages,
      lake: shownPath(lakePath(b.out)),
      warehouse: shownPath(warehousePath(b.out)),
    })}\n`,
  );
  process.stdout.write(
    `Data through ${loaded.dataThrough}; ${snapshotCount(runs)} RFM snapshots; report: ${shownPath(report)}\n`,
  );
  return EXIT.done;
}

/**
 * `npm start -- --orders FILE --mapping FILE`: the file loaded through its mapping (the same
 * loader as the cloud's `loadOrders`), the checks it can answer, the marts with what the source
 * lacks left out or null, RFM snapshots at every month end of the file's days, the CLV models
 * fitted at its last day, and the report. The file's world (source `orders`, its first day) is
 * known once it is read, so a folder holding another world is refused then, before the swap:
 * nothing outside the staging folder has been written.
 */
async function loadOrders(
  options: StartOptions,
  held: WorldManifest | "unknown" | null,
  b: Build,
): Promise<number> {
  const { file, mapping } = options.orders!;
  void warmLaterStages();
  const summary = await b.step("load", async () => {
    const loaded = await ordersToWarehouse(file, mapping, { lake: b.lake, warehouse: b.warehouse });
    await b.lake.removeUnwritten(); // the previous lake's files this file's lake did not replace
    return loaded;
  });
  const otherWorld = refusal(b.out, held, ordersWorld(summary), options.replace);
  if (otherWorld !== null) throw new OtherWorldError();
  process.stdout.write(`${formatOrdersLoad(summary)}\n`);
  await b.checks();
  const runs = await b.step("marts", () =>
    runMarts(b.warehouse, {
      runDate: summary.lastDay,
      fromDate: summary.firstDay,
      snapshotFrom: summary.firstDay,
      onProgress: (name, i, n) => b.progress.update("marts", name, i, n),
    }),
  );
  process.stdout.write(`${formatCoverage(runs)}\n`);
  const manifest = await b.warehouse.readManifest();
  const report = await b.finish({
    status: "succeeded",
    worldId: manifest?.worldId ?? null,
    days: { start: summary.firstDay, end: summary.lastDay },
    dataThrough: manifest?.dataThrough ?? summary.lastDay,
    rows: summary.tables,
  });
  await b.warehouse.close();
  await b.step("swap", () => swapIn(b.out, b.staging));
  const total = b.stages.reduce((n, [, s]) => n + s, 0);
  process.stdout.write(
    [
      "Seconds per stage",
      ...b.stages.map(([stage, s]) => `  ${stage.padEnd(16)}${s.toFixed(2).padStart(8)}`),
      `  ${"total".padEnd(16)}${total.toFixed(2).padStart(8)}`,
      `Lake: ${shownPath(lakePath(b.out))}`,
      `Warehouse: ${shownPath(warehousePath(b.out))} (schemas raw, marts, snapshots)`,
      `Data through ${summary.lastDay}; ${snapshotCount(runs)} RFM snapshots; CLV at ${summary.lastDay}; report: ${shownPath(report)}`,
    ].join("\n") + "\n",
  );
  return EXIT.done;
}

/** The RFM snapshot dates the marts stage wrote. */
function snapshotCount(runs: readonly MartRun[]): number {
  return runs.find((r) => r.name === "rfm_daily")?.partitions ?? 0;
}

if (require.main === module) {
  keepTranslations();
  keepRendererSnapshot();
  runMain(START_COMMAND, (args) => run(startOptions(args), {}), { exitWhenDone: true });
}
