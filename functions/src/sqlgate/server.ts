import { spawn } from "node:child_process";
import { AddressInfo, createServer } from "node:net";
import { dirname, join } from "node:path";
import { LanguageOptions, ZetaSQLClient } from "@fivetrandevelopers/zetasql";
import type { LanguageOptionsProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/LanguageOptionsProto";

/**
 * The GoogleSQL (ZetaSQL) local service: the analyzer and reference evaluator BigQuery's SQL front
 * end is built on, run offline as a child process and spoken to over gRPC.
 *
 * One server per process: the package's client is a singleton bound to one port. The binary is
 * started under a small `sh` guard that kills it when our stdin pipe closes, so the server dies
 * with this process even when the process is killed without running its teardown (a crashed jest
 * worker, a Ctrl-C): no orphaned analyzers hold memory on a shared machine.
 */
export interface AnalyzerServer {
  readonly port: number;
  readonly client: ZetaSQLClient;
  /** Every language feature enabled, as BigQuery's dialect needs (QUALIFY, PIVOT, ...). */
  readonly languageOptions: LanguageOptionsProto;
  /** Kills the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

let running: Promise<AnalyzerServer> | undefined;

/** A TCP port nobody listens on now: bind port 0, read what the OS chose, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function serverBinary(): string {
  const lib = dirname(require.resolve("@fivetrandevelopers/zetasql"));
  const arch = process.arch.startsWith("arm") ? "_arm" : "";
  const ext = process.platform === "darwin" ? "" : ".so";
  return join(lib, "zetasql", `remote_server${arch}${ext}`);
}

// $0 is the binary, $1 the port. `read` returns when our end of stdin closes, for any reason.
const GUARD = '"$0" localhost "$1" >/dev/null 2>&1 & pid=$!; read _; kill -9 $pid; wait $pid';

/**
 * Starts the analyzer once per process (later calls share it) and waits until it answers.
 * Jest: call in `beforeAll` and `stopAnalyzer()` in `afterAll` of each test file.
 */
export function startAnalyzer(): Promise<AnalyzerServer> {
  running ??= launch().catch((error: unknown) => {
    running = undefined;
    throw error;
  });
  return running;
}

/** Stops the process's analyzer if one was started. */
export async function stopAnalyzer(): Promise<void> {
  const server = running;
  running = undefined;
  if (server) await (await server).stop();
}

async function launch(): Promise<AnalyzerServer> {
  const port = await freePort();
  const child = spawn("sh", ["-c", GUARD, serverBinary(), String(port)], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = once(async () => {
    child.stdin?.end();
    await exited;
  });
  try {
    ZetaSQLClient.init(port);
    const client = ZetaSQLClient.getInstance();
    if (!(await client.testConnection())) {
      throw new Error(`The GoogleSQL analyzer did not answer on port ${port}`);
    }
    const languageOptions = (
      await new LanguageOptions().enableMaximumLanguageFeatures()
    ).serialize();
    return { port, client, languageOptions, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
