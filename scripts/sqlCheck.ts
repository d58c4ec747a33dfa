/**
 * `npm run sql:check`: the SQL gate from the command line. Analyses every file under `sql/` and
 * every contract-generated check with the GoogleSQL analyzer, prints one line per source
 * (`ok <path>` or `error <path>:<line>:<col> <message>`) and exits 1 on any error.
 *
 * `npm run sql:check -- <dir>` checks the `.sql` files under another folder instead (contract
 * checks are then left out: they belong to the project's tree).
 */
import { existsSync, statSync } from "node:fs";
import { formatIssue, runGate } from "../functions/src/sqlgate/gate";
import { startAnalyzer, stopAnalyzer } from "../functions/src/sqlgate/server";
import { contractCheckSources, fileSources } from "../functions/src/sqlgate/sqlSources";
import { runMain, UsageError, type CommandSpec, type ParsedArgs } from "./cli/command";

export const SQL_CHECK_COMMAND: CommandSpec = {
  command: "npm run sql:check",
  summary: [
    "Analyses every SQL file under sql/ (and the checks generated from the data contract) with",
    "the GoogleSQL analyzer, the front end BigQuery is built on, offline. Prints ok or",
    "error <file>:<line>:<col> <message> per source.",
  ].join("\n"),
  options: {},
  positional: { name: "DIR", help: "check the .sql files under DIR instead of the project's sql/" },
  exitCodes: { 1: "the analyzer rejected at least one source" },
  examples: ["npm run sql:check", "npm run sql:check -- my/sql"],
};

async function main(args: ParsedArgs): Promise<number> {
  const root = args.positionals[0];
  if (root !== undefined && !(existsSync(root) && statSync(root).isDirectory())) {
    throw new UsageError(root, "no such folder");
  }
  const started = Date.now();
  const sources = root ? fileSources(root) : [...fileSources(), ...contractCheckSources()];
  const server = await startAnalyzer();
  try {
    const results = await runGate(server, sources);
    let errors = 0;
    for (const result of results) {
      if (result.issues.length === 0) {
        console.log(`ok    ${result.path}`);
        continue;
      }
      errors += 1;
      for (const issue of result.issues) console.log(`error ${formatIssue(result.path, issue)}`);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${results.length} SQL sources, ${errors} with errors (${seconds} s)`);
    return errors > 0 ? 1 : 0;
  } finally {
    await stopAnalyzer();
  }
}

if (require.main === module) runMain(SQL_CHECK_COMMAND, main);
