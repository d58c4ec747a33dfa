/**
 * `npx tsx scripts/report/cli.ts [--out .data] [--title "..."]`: writes `<out>/report.html` from
 * the warehouse an earlier `npm start` left in `<out>/warehouse.duckdb`.
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { DuckDbWarehouse } from "../../functions/src/backends/duckdbWarehouse";
import { MissingMartsError, writeReport } from "./index";

export interface ReportCliOptions {
  readonly out: string;
  readonly title?: string;
  readonly help: boolean;
}

export const REPORT_HELP = `Usage: npx tsx scripts/report/cli.ts [--out DIR] [--title TEXT]
Writes DIR/report.html from the marts in DIR/warehouse.duckdb (default DIR: .data).
Run npm start first: it builds the warehouse and its marts.`;

/** Parses the flags; an unknown flag or a flag without its value is an error naming it. */
export function parseReportArgs(argv: readonly string[]): ReportCliOptions {
  let out = ".data";
  let title: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new Error(`${flag}: needs a value`);
      return v;
    };
    if (flag === "--out") out = value();
    else if (flag === "--title") title = value();
    else if (flag === "--help" || flag === "-h") help = true;
    else throw new Error(`${flag}: unknown option`);
  }
  return { out, title, help };
}

/** Runs the command; returns the exit code (0 written, 1 no warehouse or marts, 2 bad flags). */
export async function reportCli(argv: readonly string[]): Promise<number> {
  let options: ReportCliOptions;
  try {
    options = parseReportArgs(argv);
  } catch (error) {
    process.stderr.write(`report: ${(error as Error).message}\n${REPORT_HELP}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${REPORT_HELP}\n`);
    return 0;
  }
  const out = resolve(options.out);
  const database = join(out, "warehouse.duckdb");
  // Opening a missing file would create an empty warehouse; say what to do instead.
  if (!existsSync(database)) {
    process.stderr.write(`report: no warehouse at ${database}: run npm start first.\n`);
    return 1;
  }
  const started = performance.now();
  const warehouse = await DuckDbWarehouse.open({ path: database });
  try {
    const result = await writeReport(warehouse, join(out, "report.html"), { title: options.title });
    const seconds = (performance.now() - started) / 1000;
    const near = relative(process.cwd(), result.file);
    process.stdout.write(
      `Report: ${near.startsWith("..") ? result.file : near} (${(result.bytes / 1024).toFixed(0)} KB, ` +
        `${result.sections.length} sections, ${seconds.toFixed(2)} s)\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof MissingMartsError)) throw error;
    process.stderr.write(`report: ${error.message}\n`);
    return 1;
  } finally {
    await warehouse.close();
  }
}

if (require.main === module) {
  reportCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `report failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
