import { join, relative, resolve } from "node:path";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { LocalLake } from "../functions/src/backends/localLake";
import { assertChecksPass, ChecksFailedError, runChecks } from "../functions/src/checks";
import { runMarts } from "../functions/src/marts/runMarts";
import { generateAndLoad } from "../functions/src/pipeline/generateAndLoad";
import { pruneOutsideRange } from "../functions/src/pipeline/pruneOutsideRange";
import { START_COMMAND, startOptions, type StartOptions } from "./cli/args";
import { formatCheckSummary } from "./cli/checkSummary";
import { EXIT, runCommand, runMain } from "./cli/command";
import { ProgressLine } from "./cli/progress";
import { formatSummary, userTypeKpis } from "./cli/summary";
import { writeReport } from "./report";

/** Points where a test can step in; the command line never sets them. */
export interface StartHooks {
  /** Runs after the load, before the checks: a test corrupts raw data here to see a check fail. */
  readonly beforeChecks?: (warehouse: DuckDbWarehouse) => Promise<void>;
}

/**
 * `npm start`: the whole pipeline on the embedded default, no credentials. Generates the shop,
 * writes the lake folder, loads the DuckDB warehouse, runs the data-quality checks (a failure
 * stops here, exit 1, naming the check with sample rows), refreshes the marts, writes the static
 * HTML report (`<out>/report.html`) and prints a summary. Bad flags exit 2 before any work.
 */
export function start(argv: readonly string[], hooks: StartHooks = {}): Promise<number> {
  return runCommand(START_COMMAND, argv, (args) => run(startOptions(args), hooks));
}

async function run(options: StartOptions, hooks: StartHooks): Promise<number> {
  const out = resolve(options.out);
  const lake = new LocalLake(join(out, "lake"));
  const warehouse = await DuckDbWarehouse.open({
    path: join(out, "warehouse.duckdb"),
    memoryLimit: options.memoryLimit ?? "1GB",
  });
  const progress = new ProgressLine();
  const stages: [string, number][] = [];
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    progress.finish();
    stages.push([stage, (performance.now() - started) / 1000]);
    return result;
  };
  try {
    // Days outside this run's world go first: on a fresh folder that costs nothing, and the load
    // then replaces every day inside it.
    await timed("prune", async () => {
      await warehouse.ensureRawTables();
      return pruneOutsideRange({ lake, warehouse }, options);
    });
    const loaded = await generateAndLoad(
      { seed: options.seed, users: options.users, startDate: options.start, endDate: options.end },
      { lake, warehouse },
      (p) => progress.update(p.stage, p.detail, p.done, p.total),
      options.memoryLimit ? { memoryLimit: options.memoryLimit } : {},
    );
    progress.finish();
    stages.push(["generate", loaded.seconds.generate], ["lake write", loaded.seconds.lake]);
    stages.push(["load", loaded.seconds.load]);

    await hooks.beforeChecks?.(warehouse);
    const checks = await timed("checks", () =>
      runChecks(warehouse, { onProgress: (name, i, n) => progress.update("checks", name, i, n) }),
    );
    process.stdout.write(`${formatCheckSummary(checks)}\n`);
    assertChecksPass(checks);
    await timed("marts", () =>
      runMarts(warehouse, {
        runDate: options.end,
        onProgress: (name, i, n) => progress.update("marts", name, i, n),
      }),
    );
    const report = await timed("report", () => writeReport(warehouse, join(out, "report.html")));
    const kpis = await timed("summary", () => userTypeKpis(warehouse, options.end));
    const shown = (p: string) => {
      const near = relative(process.cwd(), p);
      return near.startsWith("..") ? p : near;
    };
    process.stdout.write(
      `${formatSummary({ rows: loaded.rows, kpis, seconds: stages, lake: shown(lake.root), warehouse: shown(warehouse.path) })}\n`,
    );
    process.stdout.write(`Report: ${shown(report.file)}\n`);
    return EXIT.ok;
  } catch (error) {
    progress.finish();
    if (!(error instanceof ChecksFailedError)) throw error;
    process.stderr.write(
      `\n${error.message}\n\nThe warehouse holds the failing data for inspection: ${warehouse.path}\n`,
    );
    return EXIT.failed;
  } finally {
    await warehouse.close();
  }
}

if (require.main === module) runMain(START_COMMAND, (args) => run(startOptions(args), {}));
