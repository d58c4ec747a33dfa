// The chart renderer process when no startup snapshot is kept: loads vega from node_modules and
// serves the specs on stdin (`svgRenderer.mjs`).
import { serveSpecs } from "./svgRenderer.mjs";

await serveSpecs();
