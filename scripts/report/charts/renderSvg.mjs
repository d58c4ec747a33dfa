// Renders Vega-Lite specs to static SVG in a plain Node process. vega and vega-lite are ES
// modules only; the report's TypeScript (and jest, which runs it in tests) loads CommonJS, so the
// report hands its specs to this script instead: one JSON `{ name, spec }` per line on stdin,
// rendered as it arrives (the report is still querying for later charts), one JSON SVG string
// per line on stdout, in the same order. A chart that fails ends the script with its name.
import { createInterface } from "node:readline";
import { parse, View } from "vega";
import { compile } from "vega-lite";

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line === "") continue;
  const { name, spec } = JSON.parse(line);
  try {
    const view = new View(parse(compile(spec).spec), { renderer: "none" });
    process.stdout.write(`${JSON.stringify(await view.toSVG())}\n`);
    view.finalize();
  } catch (error) {
    // One line the report shows: which chart, and why.
    process.stderr.write(`chart "${name}": ${error.message}\n`);
    process.exit(1);
  }
}
