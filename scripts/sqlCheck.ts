/**
 * `npm run sql:check`: the SQL gate from the command line. Analyses every file under `sql/` and
 * every contract-generated check with the GoogleSQL analyzer, prints one line per source
 * (`ok <path>` or `error <path>:<line>:<col> <message>`) and exits non-zero on any error.
 *
 * `npm run sql:check -- <dir>` checks the `.sql` files under another folder instead (contract
 * checks are then left out: they belong to the project's tree).
 */
import { formatIssue, runGate } from "../functions/src/sqlgate/gate";
import { startAnalyzer, stopAnalyzer } from "../functions/src/sqlgate/server";
import { contractCheckSources, fileSources } from "../functions/src/sqlgate/sqlSources";

async function main(root?: string): Promise<number> {
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

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
