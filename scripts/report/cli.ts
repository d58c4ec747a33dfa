/**
 * `npm run report -- [--out .data] [--title "..."]`: writes `<out>/report.html` from the warehouse
 * an earlier `npm start` left in `<out>/warehouse.duckdb`.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDbWarehouse } from "../../functions/src/backends/duckdbWarehouse";
import {
  CommandError,
  folderValue,
  runCommand,
  runMain,
  stringValue,
  type CommandSpec,
  type ParsedArgs,
} from "../cli/command";
import { MissingMartsError, writeReport } from "./index";
import { keepTranslations } from "../cli/keptTranslations";
import { shownPath } from "../cli/shownPath";
import { keepRendererSnapshot } from "./charts/rendererSnapshot";

export const REPORT_COMMAND: CommandSpec = {
  command: "npm run report",
  summary: [
    "Writes DIR/report.html from the marts in DIR/warehouse.duckdb: one self-contained page that",
    "opens from disk with no network. Run npm start first: it builds the warehouse and its marts.",
  ].join("\n"),
  options: {
    out: {
      type: "string",
      value: "DIR",
      help: "data folder holding warehouse.duckdb (default .data)",
    },
    title: {
      type: "string",
      value: "TEXT",
      help: 'the page title (default "E-commerce analytics report")',
    },
  },
  exitCodes: { 1: "no warehouse in DIR, or its marts are missing (run npm start first)" },
  examples: ["npm run report", 'npm run report -- --out /tmp/shop --title "Shop, June"'],
};

/** Runs the command; returns the exit code (0 written, 1 no warehouse or marts, 2 bad flags). */
export function reportCli(argv: readonly string[]): Promise<number> {
  return runCommand(REPORT_COMMAND, argv, report);
}

async function report(args: ParsedArgs): Promise<number> {
  const out = resolve(folderValue("--out", stringValue(args, "out", ".data")));
  const title = stringValue(args, "title");
  const database = join(out, "warehouse.duckdb");
  // Opening a missing file would create an empty warehouse; say what to do instead.
  if (!existsSync(database)) {
    throw new CommandError(`no warehouse at ${database}: run npm start first.`);
  }
  const started = performance.now();
  const warehouse = await DuckDbWarehouse.open({ path: database });
  try {
    const result = await writeReport(warehouse, join(out, "report.html"), { title });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `Report: ${shownPath(result.file)} (${(result.bytes / 1024).toFixed(0)} KB, ` +
        `${result.sections.length} sections, ${seconds.toFixed(2)} s)\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof MissingMartsError) throw new CommandError(error.message);
    throw error;
  } finally {
    await warehouse.close();
  }
}

if (require.main === module) {
  keepTranslations();
  keepRendererSnapshot();
  runMain(REPORT_COMMAND, report);
}
