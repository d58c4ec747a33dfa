import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { forEachLimited } from "../../functions/src/forEachLimited";
import { BENCH_COMMAND } from "../bench";
import { CATALOG_COMMAND } from "../catalogDoc";
import { MART_SCHEMAS_COMMAND } from "../martSchemas";
import { QUERY_COMMAND } from "../query";
import { REPLAY_COMMAND } from "../replay";
import { REPORT_COMMAND } from "../report/cli";
import { SERVE_COMMAND } from "../serve";
import { SQL_CHECK_COMMAND } from "../sqlCheck";
import { TABLEAU_COMMAND } from "../tableau";
import { START_COMMAND } from "./args";
import { helpText, type CommandSpec } from "./command";

/**
 * Every command, run as a user runs it (`npm run <script>`, through package.json), behaves the
 * same way: `--help` prints the help generated from its flags and exits 0, and an unknown flag is
 * one line on stderr naming it, exit 2, before any work.
 */
const COMMANDS: readonly (readonly [string, CommandSpec])[] = [
  ["start", START_COMMAND],
  ["replay", REPLAY_COMMAND],
  ["bench", BENCH_COMMAND],
  ["report", REPORT_COMMAND],
  ["query", QUERY_COMMAND],
  ["sql:check", SQL_CHECK_COMMAND],
  ["sql:schemas", MART_SCHEMAS_COMMAND],
  ["docs:catalog", CATALOG_COMMAND],
  ["bi:tableau", TABLEAU_COMMAND],
  ["serve", SERVE_COMMAND],
];

const ROOT = join(__dirname, "..", "..");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function npmRun(script: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let runs: Map<string, { help: Run; bad: Run }>;

beforeAll(async () => {
  const results = await forEachLimited(COMMANDS, 3, async ([script]) => ({
    script,
    help: await npmRun(script, ["--help"]),
    bad: await npmRun(script, ["--no-such-flag"]),
  }));
  runs = new Map(results.map((r) => [r.script, r]));
}, 120_000);

describe("every command", () => {
  it("is an npm script", () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
    for (const [script] of COMMANDS)
      expect([script, typeof scripts[script]]).toEqual([script, "string"]);
  });

  it.each(COMMANDS)(
    "npm run %s -- --help prints its generated help and exits 0",
    (script, spec) => {
      const run = runs.get(script)!.help;
      expect(run.stderr).toBe("");
      expect(run.stdout).toBe(`${helpText(spec)}\n`);
      expect(run.code).toBe(0);
    },
  );

  it.each(COMMANDS)("npm run %s rejects an unknown flag in one line, exit 2", (script, spec) => {
    const run = runs.get(script)!.bad;
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `${spec.command}: --no-such-flag: unknown option (see ${spec.command} -- --help)\n`,
    );
    expect(run.code).toBe(2);
  });
});
