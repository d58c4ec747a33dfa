import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CACHE_ROOT, cacheFolder, NODE_MODULES } from "../../cli/cacheFolder";
import { runNode } from "../../cli/runNode";

/**
 * How a chart renderer process starts (`render.ts`): Node's flags, and the V8 startup snapshot
 * that the commands building reports on this machine keep between runs.
 *
 * A renderer started from its script spends about 0.3 s of one core importing vega and
 * vega-lite (hundreds of ES modules) before the first chart. A startup snapshot taken after those
 * imports (`node --build-snapshot`, https://nodejs.org/api/cli.html#--build-snapshot) starts with
 * them done: rendering the reference report's 28 charts took 0.98-1.03 s from a snapshot against
 * 1.36-1.55 s from the script (three alternating runs of a renderer alone), with the same SVGs,
 * byte for byte. Building one takes about a second (a bundle of the renderer, which a snapshot
 * needs, then the snapshot), so it is built once and kept under a name that changes with
 * whatever it was built from: Node's version and flags, the renderer's sources and the installed
 * packages (`node_modules/.package-lock.json`, which npm rewrites on every install). A snapshot
 * is loaded only by the same Node binary and flags it was built with, and those are in its name;
 * a new one replaces the others in the folder.
 *
 * The renderers keep the charts they compile beside it, in a folder under the same key
 * (`compiledCharts.mjs`): only the drawing is left to do for a chart kept by an earlier run.
 */

/**
 * Node's flags for a renderer. A renderer lives about a second, and V8's optimising compiler
 * (TurboFan) recompiles vega's hot functions on background threads for most of it, which costs
 * more CPU than the faster code gives back before the process ends, beside the report's queries
 * on the same two cores. Without it (Ignition and Sparkplug only), `npm run report` took
 * 2.05-2.23 s against 2.24-2.39 s, with 0.45 s less user CPU (five alternating runs).
 */
export const RENDERER_NODE_FLAGS: readonly string[] = ["--no-opt"];

/** The renderer's script, which imports vega itself. */
const RENDERER_SCRIPT = join(__dirname, "renderSvg.mjs");
/** The renderer's sources a snapshot is built from, which name it (and its compiled charts). */
const SNAPSHOT_SOURCES = [
  "svgRenderer.mjs",
  "compiledCharts.mjs",
  "rendererSnapshotEntry.mjs",
  "noCanvas.mjs",
].map((name) => join(__dirname, name));

/**
 * Where the commands that build reports (`npm start`, `npm run report`, the bench) keep the
 * snapshot: in the project's cache folder (`cacheFolder.ts`), beside the kept SQL translations.
 */
export const DEFAULT_SNAPSHOT_FOLDER = join(CACHE_ROOT, "chart-renderer");

/** Names another folder for the renderer's snapshot, or `off` to keep none. */
export const SNAPSHOT_FOLDER_ENV = "CHART_RENDERER_SNAPSHOT_DIR";

let keptIn: string | null = null;
let building: Promise<string | null> | null = null;
let key: string | null = null;

/**
 * Keeps the renderer's snapshot in `folder` (built there when missing), or none with null, the
 * default: tests and anything else that does not ask start renderers from the script.
 */
export function keepRendererSnapshotIn(folder: string | null): void {
  keptIn = folder;
  building = null;
}

/** Keeps this command's renderer snapshot where the environment says; returns the folder. */
export function keepRendererSnapshot(env: NodeJS.ProcessEnv = process.env): string | null {
  const folder = cacheFolder(env, SNAPSHOT_FOLDER_ENV, DEFAULT_SNAPSHOT_FOLDER);
  keepRendererSnapshotIn(folder);
  return folder;
}

/** The file the snapshot for this Node, these flags, sources and packages is kept in, or null. */
export function rendererSnapshotFile(): string | null {
  return keptPath(SNAPSHOT);
}

/**
 * The folder the renderers keep their compiled charts in (`compiledCharts.mjs`), or null when no
 * snapshot folder is kept. Named by the snapshot's key: what a chart compiles to depends on the
 * renderer's sources and the installed vega and vega-lite, which the key covers.
 */
export function compiledChartsFolder(): string | null {
  return keptPath(COMPILED);
}

/** Where the folder keeps one kind of thing for the current key, or null when none is kept. */
function keptPath(kind: { prefix: string; suffix: string }): string | null {
  if (keptIn === null) return null;
  key ??= snapshotKey();
  return join(keptIn, keptName(kind, key));
}

/**
 * What the folder keeps for one key: `renderer-<key>.blob`, the snapshot, and `compiled-<key>`,
 * the compiled charts; a key is the first `KEY_DIGITS` hex digits of `snapshotKey`.
 */
const SNAPSHOT = { prefix: "renderer-", suffix: ".blob" };
const COMPILED = { prefix: "compiled-", suffix: "" };
const KEY_DIGITS = 32;

function keptName(kind: { prefix: string; suffix: string }, key: string): string {
  return `${kind.prefix}${key}${kind.suffix}`;
}

/** Whether a name in the folder is kept for a key, any key: a snapshot or compiled charts. */
function isKeptName(name: string): boolean {
  return [SNAPSHOT, COMPILED].some((kind) => {
    const key = name.slice(kind.prefix.length, name.length - kind.suffix.length);
    return name === keptName(kind, key) && new RegExp(`^[0-9a-f]{${KEY_DIGITS}}$`).test(key);
  });
}

/** The renderer's last argument when it keeps no compiled charts (`NO_FOLDER` in its script). */
const NO_COMPILED_CHARTS = "none";

/**
 * The command line after `node` that starts a renderer: from the kept snapshot when there is
 * one, from the script otherwise, and last the folder of its compiled charts (or `none`).
 * Starting from the script when a snapshot could be kept starts its build, for the renderers
 * started after it.
 */
export function rendererArgs(): string[] {
  const file = rendererSnapshotFile();
  const compiled = compiledChartsFolder() ?? NO_COMPILED_CHARTS;
  if (file !== null && existsSync(file))
    return [...RENDERER_NODE_FLAGS, "--snapshot-blob", file, compiled];
  if (file !== null) void prepareRendererSnapshot();
  return [...RENDERER_NODE_FLAGS, RENDERER_SCRIPT, compiled];
}

/**
 * Builds the kept snapshot unless it exists or is being built; resolves to its file, or to null
 * when none is kept or the build failed (said once on stderr: the charts render from the script).
 * `npm start` calls this early, so that its own report starts from the snapshot.
 */
export function prepareRendererSnapshot(): Promise<string | null> {
  const file = rendererSnapshotFile();
  if (file === null) return Promise.resolve(null);
  if (existsSync(file)) return Promise.resolve(file);
  building ??= buildSnapshot(file).then(
    () => file,
    (error: Error) => {
      process.stderr.write(
        `The chart renderer's startup snapshot was not built (${error.message}); charts render without it.\n`,
      );
      return null;
    },
  );
  return building;
}

/**
 * Bundles the snapshot entry into one CommonJS file (a snapshot is built from a script, which can
 * load only Node's own modules) and builds the snapshot from it, under names of its own that the
 * finished file is renamed from: two commands building at once never leave half a file.
 */
async function buildSnapshot(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const work = `${file}.${randomUUID()}`;
  try {
    // Required here, not imported at the top: only a build needs it (about 0.05 s to load).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { build } = require("esbuild") as typeof import("esbuild");
    await build({
      entryPoints: [join(__dirname, "rendererSnapshotEntry.mjs")],
      bundle: true,
      platform: "node",
      format: "cjs",
      alias: { "vega-canvas": join(__dirname, "noCanvas.mjs") },
      outfile: `${work}.cjs`,
      logLevel: "silent",
    });
    await runNode(
      [
        ...RENDERER_NODE_FLAGS,
        "--snapshot-blob",
        `${work}.blob`,
        "--build-snapshot",
        `${work}.cjs`,
      ],
      "node --build-snapshot",
    );
    await rename(`${work}.blob`, file);
    // Snapshots and compiled charts of earlier packages or sources are never read again.
    const current = new Set([file, compiledChartsFolder()]);
    for (const name of await readdir(dirname(file)))
      if (isKeptName(name) && !current.has(join(dirname(file), name)))
        await rm(join(dirname(file), name), { recursive: true, force: true });
  } finally {
    await rm(`${work}.cjs`, { force: true });
    await rm(`${work}.blob`, { force: true });
  }
}

/** A hash of everything the snapshot is built from; see the module comment. */
function snapshotKey(): string {
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify([
      process.execPath,
      process.version,
      process.versions.v8,
      process.arch,
      RENDERER_NODE_FLAGS,
    ]),
  );
  for (const source of SNAPSHOT_SOURCES) hash.update(readFileSync(source));
  const installed = join(NODE_MODULES, ".package-lock.json");
  hash.update(existsSync(installed) ? readFileSync(installed) : "no .package-lock.json");
  return hash.digest("hex").slice(0, KEY_DIGITS);
}
