// Renders Vega-Lite specs to static SVG in a plain Node process. vega and vega-lite are ES
// modules only; the report's TypeScript (and jest, which runs it in tests) loads CommonJS, so the
// report hands its specs to this script instead: a JSON array of specs on stdin, a JSON array of
// SVG strings on stdout, in the same order.
import { parse, View } from "vega";
import { compile } from "vega-lite";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const specs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const svgs = [];
for (const spec of specs) {
  try {
    const view = new View(parse(compile(spec).spec), { renderer: "none" });
    svgs.push(await view.toSVG());
    view.finalize();
  } catch (error) {
    throw new Error(`chart "${spec.title}": ${error.message}`);
  }
}
process.stdout.write(JSON.stringify(svgs));
