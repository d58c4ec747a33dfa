/**
 * `npm ci`'s prepare step (`prepare` in package.json, which npm runs after every `npm ci` and
 * plain `npm install`): builds ahead what `npm start` would otherwise build during its first run,
 * on the same two cores as the generator:
 *
 * - the DuckDB translations of the BigQuery SQL of the checks, the marts, the report and the
 *   summary, kept in `node_modules/.cache` (`keepTranslationsIn`): the translator's 22 MB
 *   WebAssembly module is loaded only when a text has none kept;
 * - the chart renderer's startup snapshot, kept beside them (`rendererSnapshot.ts`);
 * - the TypeScript of npm start's modules compiled to JavaScript, in the cache of `tsx`, which
 *   runs the commands' TypeScript.
 *
 * On a busy host, a first run in a new folder with none of them took 19.5 s against 17.6-18.0 s
 * with all kept (its generate stage 5.05 s against 3.10-3.24 s: the translations and the
 * snapshot's build ran beside it); in the bench, 23.5 s and 37 CPU-seconds against 17.6 s and 28
 * after this step. Each is keyed by what it is built from, so what is built here is what the run
 * reads back. The report's compiled charts are not built here: a chart's shape depends on its
 * data (`compiledCharts.mjs`).
 */

import { readdir } from "node:fs/promises";
import { keepTranslations } from "./cli/keptTranslations";
import { shownPath } from "./cli/shownPath";
import { warmLaterStages } from "./laterStages";
import { keepRendererSnapshot, prepareRendererSnapshot } from "./report/charts/rendererSnapshot";
// npm start's own modules: loading them here through tsx keeps their compiled JavaScript in
// tsx's cache, which the first `npm start` would otherwise fill while it generates.
import "./start";

/** What the prepare step kept, for its line of output. */
export interface PreparedCaches {
  /** The folder translations are kept in, or null when the environment says `off`. */
  readonly translationsFolder: string | null;
  /** Translations kept in it after this step. */
  readonly translations: number;
  /** The renderer's snapshot, or null when none is kept or its build failed (said on stderr). */
  readonly snapshot: string | null;
  readonly seconds: number;
}

/** Builds the caches where the environment says (as the commands do); see the module comment. */
export async function prepareCaches(env: NodeJS.ProcessEnv = process.env): Promise<PreparedCaches> {
  const started = performance.now();
  const translationsFolder = keepTranslations(env);
  keepRendererSnapshot(env);
  await warmLaterStages();
  const snapshot = await prepareRendererSnapshot();
  const kept = translationsFolder ? await readdir(translationsFolder).catch(() => []) : [];
  return {
    translationsFolder,
    translations: kept.filter((name) => name.endsWith(".sql")).length,
    snapshot,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The step's one line of output. */
export function formatPrepared(prepared: PreparedCaches, cwd = process.cwd()): string {
  const at = (path: string) => shownPath(path, cwd);
  const translations = prepared.translationsFolder
    ? `${prepared.translations} SQL translations in ${at(prepared.translationsFolder)}`
    : "no SQL translations (kept none)";
  const snapshot = prepared.snapshot
    ? `the chart renderer's snapshot in ${at(prepared.snapshot)}`
    : "no chart renderer snapshot";
  return `Prepared for npm start in ${prepared.seconds.toFixed(1)} s: ${translations}, ${snapshot}`;
}

if (require.main === module) {
  // A cache that is not built here is built by the first run that needs it, as before: a failure
  // is said, and the install goes on.
  prepareCaches()
    .then((prepared) => process.stdout.write(`${formatPrepared(prepared)}\n`))
    .catch((error: unknown) =>
      process.stderr.write(
        `Preparing npm start's caches failed (its first run builds them): ${error instanceof Error ? error.message : String(error)}\n`,
      ),
    );
}
