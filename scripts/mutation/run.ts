/**
 * `npm run test:mutations`: proof that the tests pin the mart definitions down. Each mutation in
 * `martMutations.ts` is applied alone to its SQL file, the tests that judge that file are run,
 * and the file is put back. A mutation the tests do not fail on survives; the run prints how many
 * were tried and every survivor, and exits 1 if any survived (or if one no longer applies).
 *
 * Only the tests that judge a mart run, cheapest first, stopping at the first that fails: the
 * boundary-fixture oracles (seconds), then the generated-shop oracles. Before any mutation the
 * same tests must pass on the SQL as it is, or nothing they say afterwards would mean anything.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { applyMutation, type Mutation } from "./applyMutation";
import { MART_MUTATIONS } from "./martMutations";

const ROOT = resolve(__dirname, "..", "..");
const JEST = join(ROOT, "node_modules", "jest", "bin", "jest.js");

/** The test files that judge a mart's SQL (the RFM snapshot's too), cheapest first. */
export function judgingTests(file: string): string[] {
  if (!/^sql\/(marts\/\w+|rfm\/rfm_daily)\.sql$/.test(file)) {
    throw new Error(`No tests are known to judge ${file}`);
  }
  return [
    "functions/src/marts/oracle.boundary.test.ts",
    "functions/src/marts/generatedShop.test.ts",
  ];
}

/** Runs one jest file; true when it passes. The output is kept for a failing baseline. */
function testPasses(testFile: string): { passed: boolean; output: string } {
  const result = spawnSync(
    process.execPath,
    [JEST, "--ci", "--runInBand", "--bail", "--silent", testFile],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.error) throw result.error;
  // Interrupted (Ctrl-C reaches jest too): stop here, so the caller puts the file back.
  if (result.signal) throw new Error(`${testFile} stopped by ${result.signal}`);
  return { passed: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** The first judging test that fails, or undefined when all pass (the mutation survived). */
function killedBy(file: string): string | undefined {
  return judgingTests(file).find((test) => !testPasses(test).passed);
}

/**
 * `--only <text>` keeps the mutations whose name contains the text (for a quick check while
 * editing); CI runs them all.
 */
function selected(argv: readonly string[]): readonly Mutation[] {
  const at = argv.indexOf("--only");
  if (at === -1) return MART_MUTATIONS;
  const text = argv[at + 1];
  if (!text) throw new Error("--only needs the text of a mutation name");
  const chosen = MART_MUTATIONS.filter((m) => m.name.includes(text));
  if (chosen.length === 0) throw new Error(`No mutation name contains "${text}"`);
  return chosen;
}

function main(argv: readonly string[]): number {
  const mutations = selected(argv);
  const originals = new Map<string, string>();
  for (const m of mutations) {
    if (!originals.has(m.file)) originals.set(m.file, readFileSync(join(ROOT, m.file), "utf8"));
  }
  // Every mutation must apply before anything runs: a stale one is an error, not a skip.
  const mutated = mutations.map((m) => applyMutation(originals.get(m.file)!, m));

  let current: string | undefined;
  const restore = () => {
    if (current !== undefined) writeFileSync(join(ROOT, current), originals.get(current)!);
    current = undefined;
  };

  const files = [...new Set(mutations.flatMap((m) => judgingTests(m.file)))];
  for (const test of files) {
    const baseline = testPasses(test);
    if (!baseline.passed) {
      process.stderr.write(baseline.output);
      process.stderr.write(`\nBaseline failed: ${test} fails without any mutation.\n`);
      return 1;
    }
  }
  console.log(`baseline: ${files.join(", ")} pass on the SQL as it is`);

  const survivors: Mutation[] = [];
  const started = performance.now();
  mutations.forEach((m, i) => {
    const t0 = performance.now();
    current = m.file;
    writeFileSync(join(ROOT, m.file), mutated[i]!);
    let killer: string | undefined;
    try {
      killer = killedBy(m.file);
    } finally {
      restore();
    }
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const where = `${m.file.replace(/^sql\/marts\//, "")}: ${m.name}`;
    if (killer)
      console.log(`[${i + 1}/${mutations.length}] killed   ${where} (${killer}, ${seconds} s)`);
    else {
      survivors.push(m);
      console.log(`[${i + 1}/${mutations.length}] SURVIVED ${where} (${seconds} s)`);
    }
  });

  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  console.log(
    `\n${mutations.length} mutations tried, ${mutations.length - survivors.length} killed, ` +
      `${survivors.length} survived (${minutes} min)`,
  );
  for (const s of survivors)
    console.log(`  survivor: ${s.file}: ${s.name} ("${s.from}" -> "${s.to}")`);
  return survivors.length === 0 ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
