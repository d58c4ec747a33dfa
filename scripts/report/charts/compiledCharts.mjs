// Vega's runtime specification of each chart, compiled from its Vega-Lite spec once per chart
// shape and kept on disk, for the chart renderer (`svgRenderer.mjs`).
//
// A renderer spends about 40 % of its time per chart compiling the Vega-Lite spec
// (`vega-lite`'s `compile`) and parsing the Vega spec it gives (`vega`'s `parse`): for the
// reference report's 28 charts, 0.74 s cold without the cache against 0.42 s from it (three runs
// each). Neither step reads the data: a chart's inline values pass through both untouched, into
// the one operator that ingests them. So the runtime spec is compiled from the chart's shape (the
// spec with a one-row placeholder for its values), written to a file named by the shape's hash,
// and a later chart of the same shape (the next run's, with other data) reads it and puts its own
// values where the placeholder was. Only what the data decides in a spec itself (a title naming
// dates, a domain listing categories) makes another shape.
//
// A shape whose placeholder does not come out exactly once is compiled with its data every time.
// The folder is named by everything the compiled output depends on (`rendererSnapshot.ts`): the
// renderer's sources and the installed vega and vega-lite. A file that cannot be read or parsed is
// compiled again; one that cannot be written is not kept, and the chart still renders.
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

/** The key of the placeholder row that stands for a chart's values while its shape compiles. */
export const VALUES_SLOT = "__chart_values__";

/** Files a folder keeps at most; a write beyond that empties it first (a new `--end` each run). */
export const MAX_KEPT_CHARTS = 256;

/**
 * The runtime spec of `spec`, which `compileRuntime` (Vega-Lite spec to vega's runtime spec)
 * makes when the folder does not keep it already; compiled as it is when `folder` is null or the
 * spec has no inline values.
 */
export function runtimeSpec(spec, folder, compileRuntime) {
  const values = spec?.data?.values;
  if (folder === null || !Array.isArray(values)) return compileRuntime(spec);
  const shape = { ...spec, data: { ...spec.data, values: [{ [VALUES_SLOT]: true }] } };
  const text = JSON.stringify(shape);
  const file = join(folder, `${createHash("sha256").update(text).digest("hex").slice(0, 32)}.json`);
  const kept = readKept(file) ?? compileKept(shape, compileRuntime, folder, file);
  if (kept === null) return compileRuntime(spec);
  kept.slot.holder[kept.slot.key] = values;
  return kept.runtime;
}

/**
 * Where in a runtime spec the placeholder's one-row array is (a path of keys), or null unless it
 * is there exactly once.
 */
export function slotPath(runtime) {
  const found = [];
  const visit = (node, path) => {
    if (isPlaceholder(node)) found.push(path);
    else if (Array.isArray(node)) node.forEach((item, i) => visit(item, [...path, i]));
    else if (node !== null && typeof node === "object")
      for (const [key, value] of Object.entries(node)) visit(value, [...path, key]);
  };
  visit(runtime, []);
  const mentions = JSON.stringify(runtime).split(VALUES_SLOT).length - 1;
  return found.length === 1 && mentions === 1 ? found[0] : null;
}

/**
 * A kept runtime spec, parsed afresh, with its placeholder's place (the object holding it, and
 * its key there), or null when the file cannot be read or its path does not lead to the
 * placeholder.
 */
function readKept(file) {
  let kept;
  try {
    kept = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
  return withSlot(kept?.runtime, kept?.path);
}

/** `{ runtime, slot }` when `path` leads from `runtime` to the placeholder's array, else null. */
function withSlot(runtime, path) {
  if (!Array.isArray(path) || path.length === 0) return null;
  let holder = runtime;
  for (const step of path.slice(0, -1)) {
    if (holder === null || typeof holder !== "object") return null;
    holder = holder[step];
  }
  const key = path.at(-1);
  const slot = holder !== null && typeof holder === "object" ? holder[key] : undefined;
  return isPlaceholder(slot) ? { runtime, slot: { holder, key } } : null;
}

/** Whether a node is the placeholder's one-row array. */
function isPlaceholder(node) {
  return Array.isArray(node) && node.length === 1 && node[0]?.[VALUES_SLOT] === true;
}

/**
 * Compiles a shape and keeps it, through a file of its own renamed into place (two renderers at
 * once never leave half a file). Returns what a later read would: a fresh parse of the text kept,
 * so a chart compiled now renders exactly as it will from the file.
 */
function compileKept(shape, compileRuntime, folder, file) {
  const runtime = compileRuntime(shape);
  const path = slotPath(runtime);
  if (path === null) return null;
  const text = JSON.stringify({ path, runtime });
  const work = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(folder, { recursive: true });
    const names = readdirSync(folder);
    if (names.length >= MAX_KEPT_CHARTS)
      for (const name of names) rmSync(join(folder, name), { force: true });
    writeFileSync(work, text);
    renameSync(work, file);
  } catch {
    // Not kept (a read-only folder, a full disk): this chart compiles again next time.
    if (existsSync(work)) rmSync(work, { force: true });
  }
  const fresh = JSON.parse(text);
  return withSlot(fresh.runtime, fresh.path);
}
