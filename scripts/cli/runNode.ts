import { spawn } from "node:child_process";

/**
 * Runs this process's Node binary with `args` in a process of its own and waits for it: resolves
 * with what it wrote to stderr when it exits 0, rejects naming `what`, its exit code and the first
 * line of its stderr otherwise. Its stdout is dropped: the callers want the files it writes.
 */
export function runNode(
  args: readonly string[],
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) =>
      code === 0
        ? done(stderr)
        : fail(new Error(`${what} exited ${code}: ${stderr.trim().split("\n")[0]}`)),
    );
  });
}
