// The chart renderer as a V8 startup snapshot (`rendererSnapshot.ts` bundles this file and builds
// the snapshot from it): building runs the imports, so vega is loaded when the snapshot is taken,
// and a process started from it only serves the specs on stdin (`svgRenderer.mjs`).
import { startupSnapshot } from "node:v8";
import { serveSpecs } from "./svgRenderer.mjs";

startupSnapshot.setDeserializeMainFunction(() => void serveSpecs());
