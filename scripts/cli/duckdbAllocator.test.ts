import { join } from "node:path";
import { DUCKDB_ALLOCATOR_CONF, DUCKDB_ALLOCATOR_ENV } from "./duckdbAllocator";
import { lastJsonLineOfFreshNode } from "./testing/freshNode";

const SCRIPTS = join(__dirname, "..");

/**
 * Requires `module` in a fresh Node process and returns the allocator's environment variable as
 * it was when DuckDB's Node binding was first required (null if it never was), and at the end. A
 * real process: jest's module registry would not show the order in which Node loads modules.
 */
function allocatorEnvAtDuckDbLoad(
  module: string,
  env: Record<string, string | undefined>,
): { atLoad: string | null; after: string | null } {
  const name = JSON.stringify(DUCKDB_ALLOCATOR_ENV);
  return lastJsonLineOfFreshNode(
    `
    const Module = require("node:module");
    const load = Module._load;
    let atLoad = null;
    Module._load = function (request, ...rest) {
      if (atLoad === null && request.startsWith("@duckdb/node-"))
        atLoad = process.env[${name}] ?? "(unset)";
      return load.call(this, request, ...rest);
    };
    require(${JSON.stringify(module)});
    console.log(JSON.stringify({ atLoad, after: process.env[${name}] ?? null }));
  `,
    env,
  );
}

describe("DuckDB's allocator setting", () => {
  it.each(["start.ts", "replay.ts", "bench.ts"])(
    "is in the environment before %s loads DuckDB",
    (script) => {
      const seen = allocatorEnvAtDuckDbLoad(join(SCRIPTS, script), {
        [DUCKDB_ALLOCATOR_ENV]: undefined,
      });
      expect(seen.atLoad).toBe(DUCKDB_ALLOCATOR_CONF);
    },
  );

  it("keeps a value the user set", () => {
    const seen = allocatorEnvAtDuckDbLoad(join(SCRIPTS, "start.ts"), {
      [DUCKDB_ALLOCATOR_ENV]: "dirty_decay_ms:1000",
    });
    expect(seen).toEqual({ atLoad: "dirty_decay_ms:1000", after: "dirty_decay_ms:1000" });
  });

  it("is not set by the Cloud Functions' entry point", () => {
    const seen = allocatorEnvAtDuckDbLoad(join(SCRIPTS, "..", "functions", "src", "index.ts"), {
      [DUCKDB_ALLOCATOR_ENV]: undefined,
    });
    expect(seen.after).toBeNull();
  });
});
