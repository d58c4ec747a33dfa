// npm ci's prepare step (`prepare` in package.json): runs `prepareCaches.ts` through tsx, the
// TypeScript loader the commands run with. tsx is a dev dependency, so an install without them
// (`npm ci --omit=dev`) can run none of the commands: there the step says it was skipped and the
// install goes on, instead of failing on the missing loader.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
try {
  require.resolve("tsx/cjs");
} catch {
  process.stdout.write(
    "Skipped preparing npm start's caches: tsx, a dev dependency, is not installed\n",
  );
  process.exit(0);
}
const script = fileURLToPath(new URL("./prepareCaches.ts", import.meta.url));
const run = spawnSync(process.execPath, ["--require", "tsx/cjs", script], { stdio: "inherit" });
process.exit(run.status ?? 1);
