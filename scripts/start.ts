import { relative, resolve } from "node:path";
import { rm } from "node:fs/promises";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { LocalLake } from "../functions/src/backends/localLake";
import { assertChecksPass, ChecksFailedError, runChecks } from "../functions/src/checks";
import { runMarts } from "../functions/src/marts/runMarts";
import { generateAndLoad } from "../functions/src/pipeline/generateAndLoad";
import { monthEndSnapshotDates } from "../functions/src/rfm/snapshotDates";
import {
  syntheticWorld,
  worldDifferences,
  WorldMismatchError,
} from "../functions/src/world/manifest";
import { RunTracker } from "../functions/src/world/runRecord";
import { START_COMMAND, startOptions, type StartOptions } from "./cli/args";
import { formatCheckSummary } from "./cli/checkSummary";
import { CommandError, EXIT as COMMAND_EXIT, runCommand, runMain } from "./cli/command";
import { ProgressLine } from "./cli/progress";
import { formatSummary, funnelRates, userTypeKpis } from "./cli/summary";
import {
  carryRunHistory,
  folderWorld,
  lakePath,
  recordFailureInFolder,
  recoverSwap,
  stagingFolder,
  swapIn,
  warehousePath,
} from "./dataFolder";
import { writeReport } from "./report";

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
  const identity = syntheticWorld({
    seed: options.seed,
    users: options.users,
    startDate: options.start,
  });
  if (await recoverSwap(out)) process.stderr.write(`Completed an interrupted swap in ${out}\n`);
  const held = await folderWorld(out);
  if (held !== null && !options.replace) {
    const differences =
      held === "unknown"
        ? ["no world manifest (data written by an earlier version)"]
        : worldDifferences(held, identity);
    if (differences.length > 0) {
      process.stderr.write(
        `npm start: ${new WorldMismatchError(shown(out), differences).message}: --replace ` +
          `discards it, or --out writes elsewhere.\n`,
      );
      return EXIT.otherWorld;
    }
  }

  const tracker = new RunTracker("bulk");
  const days = { start: options.start, end: options.end };
  const staging = await stagingFolder(out, tracker.runId);
  const lake = new LocalLake(lakePath(staging));
  const warehouse = await DuckDbWarehouse.open({
    path: warehousePath(staging),
    memoryLimit: options.memoryLimit ?? "1GB",
  });
  const progress = new ProgressLine();
  const stages: [string, number][] = [];
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    tracker.step = name;
    await hooks.beforeStep?.(name);
    const started = performance.now();
    const result = await work();
    progress.finish();
    stages.push([name, (performance.now() - started) / 1000]);
    return result;
  };
  let keepStaging = false;
  try {
    const request = {
      seed: options.seed,
      users: options.users,
      startDate: options.start,
      dateRange: days,
    };
    const settings = options.memoryLimit ? { memoryLimit: options.memoryLimit } : {};
    const show = (p: { stage: string; detail: string; done: number; total: number }) =>
      progress.update(p.stage, p.detail, p.done, p.total);
    tracker.step = "generate";
    await hooks.beforeStep?.("generate");
    const written = await generateAndLoad(
      { ...request, stage: "lake" },
      { lake, warehouse },
      show,
      settings,
    );
    progress.finish();
    stages.push(["generate", written.seconds.generate], ["lake write", written.seconds.lake]);
    const loaded = await step("load", () =>
      generateAndLoad({ ...request, stage: "load" }, { lake, warehouse }, show, settings),
    );
    const rows = written.rows;

    await hooks.beforeChecks?.(warehouse);
    const checks = await step("checks", () =>
      runChecks(warehouse, { onProgress: (name, i, n) => progress.update("checks", name, i, n) }),
    );
    keepStaging = checks.some((c) => c.violations > 0);
    process.stdout.write(`${formatCheckSummary(checks)}\n`);
    assertChecksPass(checks);
    const snapshotDates = monthEndSnapshotDates(options.start, options.end);
    await step("marts", () =>
      runMarts(warehouse, {
        runDate: options.end,
        fromDate: options.start,
        snapshotDates,
        onProgress: (name, i, n) => progress.update("marts", name, i, n),
      }),
    );
    await carryRunHistory(out, warehouse);
    await warehouse.recordRun(
      tracker.record({
        status: "succeeded",
        worldId: loaded.world.worldId,
        days,
        dataThrough: loaded.dataThrough,
        rows,
      }),
    );
    const report = await step("report", () =>
      writeReport(warehouse, resolve(staging, "report.html")),
    );
    const { kpis, funnel } = await step("summary", async () => ({
      kpis: await userTypeKpis(warehouse, options.end),
      funnel: await funnelRates(warehouse),
    }));
    await warehouse.close();
    await step("swap", () => swapIn(out, staging));
    process.stdout.write(
      `${formatSummary({
        rows,
        kpis,
        funnel,
        seconds: stages,
        lake: shown(lakePath(out)),
        warehouse: shown(warehousePath(out)),
      })}\n`,
    );
    process.stdout.write(
      `Data through ${loaded.dataThrough}; ${snapshotDates.length} RFM snapshots; ` +
        `report: ${shown(resolve(out, relative(staging, report.file)))}\n`,
    );
    return EXIT.done;
  } catch (error) {
    progress.finish();
    await warehouse.close().catch(() => undefined);
    await recordFailureInFolder(
      out,
      tracker.record({ status: "failed", worldId: null, days, error }),
    );
    if (error instanceof ChecksFailedError) {
      process.stderr.write(
        `\n${error.message}\n\nNothing was replaced: ${shown(out)} holds the previous data. ` +
          `The failing data is kept for inspection in ${shown(staging)}\n`,
      );
      return EXIT.failed;
    }
    keepStaging = false;
    // A step that fails is reported in one line, with its step; the previous data stays.
    throw new CommandError(
      `step ${tracker.step} failed; ${shown(out)} still holds the previous data: ${(error as Error).message}`,
    );
  } finally {
    if (!keepStaging) await rm(staging, { recursive: true, force: true });
  }
}

/** A path relative to the working folder when it is inside it. */
function shown(path: string): string {
  const near = relative(process.cwd(), path);
  return near.startsWith("..") ? path : near;
}

if (require.main === module) runMain(START_COMMAND, (args) => run(startOptions(args), {}));
