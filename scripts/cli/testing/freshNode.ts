import { spawnSync } from "node:child_process";

/**
 * Runs `script` in a fresh Node process with the TypeScript loader and returns what it printed
 * last on stdout, parsed as JSON. For what only a real process shows: the order in which Node
 * loads modules, and what the environment held then (jest's module registry hides both).
 * `env` entries override the test's environment; `undefined` removes a variable. A script that
 * fails throws with its stderr.
 */
export function lastJsonLineOfFreshNode<T>(
  script: string,
  env: Record<string, string | undefined> = {},
): T {
  const childEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const result = spawnSync(process.execPath, ["-e", `require("tsx/cjs");\n${script}`], {
    encoding: "utf8",
    env: childEnv,
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as T;
}
