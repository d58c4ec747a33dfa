// Renders Vega-Lite specs to static SVG in a plain Node process. vega and vega-lite are ES
// modules only; the report's TypeScript (and jest, which runs it in tests) loads CommonJS, so the
// report hands its specs to a renderer process instead: one JSON `{ name, spec }` per line on
// stdin, rendered as it arrives (the report is still querying for later charts), one JSON SVG
// string per line on stdout, in the same order. A chart that fails ends the process with its name.
// Its last command-line argument is the folder its compiled charts are kept in, or `none`
// (`compiledCharts.mjs`; `rendererArgs` in `rendererSnapshot.ts` always gives one). Two entries
// start it: `renderSvg.mjs` imports vega from node_modules, and `rendererSnapshotEntry.mjs` is
// built into a V8 startup snapshot that holds vega already loaded (`rendererSnapshot.ts`).
import { parse, View } from "vega";
import { compile } from "vega-lite";
import { runtimeSpec } from "./compiledCharts.mjs";

/** The last argument when no compiled charts are kept. */
const NO_FOLDER = "none";

/** A Vega-Lite spec compiled to vega's runtime spec, which a `View` runs. */
const compileRuntime = (spec) => parse(compile(spec).spec);

/**
 * Serves the specs on stdin until it ends. Lines are split here rather than by `node:readline`,
 * which Node does not yet support in a startup snapshot.
 */
export async function serveSpecs() {
  const kept = process.argv.at(-1);
  const folder = kept === NO_FOLDER ? null : kept;
  process.stdin.setEncoding("utf8");
  let pending = "";
  for await (const chunk of process.stdin) {
    pending += chunk;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line !== "") await renderLine(line, folder);
    }
  }
  if (pending !== "") await renderLine(pending, folder);
}

async function renderLine(line, folder) {
  const { name, spec } = JSON.parse(line);
  try {
    const view = new View(runtimeSpec(spec, folder, compileRuntime), { renderer: "none" });
    process.stdout.write(`${JSON.stringify(await view.toSVG())}\n`);
    view.finalize();
  } catch (error) {
    // One line the report shows: which chart, and why.
    process.stderr.write(`chart "${name}": ${error.message}\n`);
    process.exit(1);
  }
}
