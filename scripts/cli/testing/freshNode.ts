import { spawnSync, type SpawnSyncReturns } from "node:child_process";

/**
 * Runs `script` in a fresh Node process with the TypeScript loader and returns how it ended: its
 * exit status (null when killed), stdout and stderr. For what only a real process shows: the
 * order in which Node loads modules, what the environment held then (jest's module registry hides
 * both), and how the process itself ends. `env` entries override the test's environment;
 * `undefined` removes a variable. A process still running after `timeoutMs` is killed.
 */
export function runFreshNode(
  script: string,
  env: Record<string, string | undefined> = {},
  timeoutMs?: number,
): SpawnSyncReturns<string> {
  const childEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  return spawnSync(process.execPath, ["-e", `require("tsx/cjs");\n${script}`], {
    encoding: "utf8",
    env: childEnv,
    maxBuffer: 16 * 1024 * 1024,
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
  });
}

/**
 * `runFreshNode`, returning what the script printed last on stdout, parsed as JSON. A script that
 * fails throws with its stderr.
 */
export function lastJsonLineOfFreshNode<T>(
  script: string,
  env: Record<string, string | undefined> = {},
): T {
  const result = runFreshNode(script, env);
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as T;
}
