import { spawnSync } from "node:child_process";
import { join } from "node:path";

/**
 * Which of the later stages' modules a fresh Node process has loaded after requiring `npm start`'s
 * module, and after `warmLaterStages` has had its macrotask. A real process: jest's own module
 * registry would not show what Node loads.
 */
function loadedModules(): { atStart: string[]; warmed: string[] } {
  const script = `
    require("tsx/cjs");
    const later = ["marts/runMarts.ts", "report/index.ts", "orders/ordersToWarehouse.ts"];
    const loaded = () => later.filter((m) => Object.keys(require.cache).some((k) => k.endsWith(m)));
    require(${JSON.stringify(join(__dirname, "start.ts"))});
    const atStart = loaded();
    require(${JSON.stringify(join(__dirname, "laterStages.ts"))}).warmLaterStages();
    setImmediate(() => console.log(JSON.stringify({ atStart, warmed: loaded() })));
  `;
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { atStart: string[]; warmed: string[] };
}

describe("npm start's later stages", () => {
  it("are not loaded when the command starts, and warming loads the marts and the report", () => {
    const { atStart, warmed } = loadedModules();
    expect(atStart).toEqual([]);
    expect(warmed).toEqual(["marts/runMarts.ts", "report/index.ts"]);
  });
});
