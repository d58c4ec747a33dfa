/**
 * `npm run serve -- --target generateData --port 8081`: one of the Cloud Functions on this
 * machine, under the Functions Framework's own server (the same Express app, middleware and
 * function registry as in the cloud), over the local data folder. It says where it listens once
 * the port is bound, and a busy port is one line naming `--port`, not an `EADDRINUSE` stack.
 *
 * The framework's command-line entry prints its banner only outside `NODE_ENV=production` (Cloud
 * Functions' setting), and says nothing of a busy port; so this command binds the port itself.
 */
import type { Server } from "node:http";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { backendConfigFromEnv, FUNCTION_ENV } from "../functions/src/backends/fromEnv";
import { FUNCTION_NAMES, type FunctionName } from "../functions/src/functionNames";
import {
  choiceValue,
  CommandError,
  folderValue,
  integerValue,
  runMain,
  stringValue,
  UsageError,
  type CommandSpec,
  type ParsedArgs,
} from "./cli/command";
import { keepTranslations } from "./cli/keptTranslations";

export const SERVE_COMMAND: CommandSpec = {
  command: "npm run serve",
  summary: [
    "Serves one Cloud Function locally under the Functions Framework, over the local lake and",
    "warehouse (the data folder), with the same request validation as in the cloud. Prints its",
    "URL once it listens; Ctrl-C stops it.",
  ].join("\n"),
  options: {
    target: {
      type: "string",
      value: "NAME",
      help: `the function: ${FUNCTION_NAMES.join(" or ")}`,
    },
    port: {
      type: "string",
      value: "N",
      help: "port to listen on (default 8080; 0 picks a free one)",
    },
    out: {
      type: "string",
      value: "DIR",
      help: `data folder with lake/ and warehouse.duckdb (default ${FUNCTION_ENV.localDataDir} or .data)`,
    },
  },
  exitCodes: {
    1: "the function's configuration (environment variables) is invalid",
    2: "bad command line, or the port is already in use",
  },
  examples: [
    "npm run serve -- --target generateData --port 8081",
    "npm run serve -- --target refreshRfmSnapshot --port 8082 --out /tmp/shop",
  ],
};

export interface ServeOptions {
  readonly target: FunctionName;
  readonly port: number;
  readonly dataDir?: string;
}

export function serveOptions(args: ParsedArgs): ServeOptions {
  const target = stringValue(args, "target");
  if (target === undefined)
    throw new UsageError("--target", `is required: ${FUNCTION_NAMES.join(" or ")}`);
  const out = stringValue(args, "out");
  return {
    target: choiceValue("--target", target, FUNCTION_NAMES),
    port: integerValue("--port", stringValue(args, "port", "8080"), 0, 65535),
    ...(out !== undefined ? { dataDir: folderValue("--out", out) } : {}),
  };
}

/**
 * Loads the functions and listens. Resolves with the server once the port is bound; a port in use
 * is a UsageError naming `--port`, and an invalid function configuration a one-line CommandError.
 */
export async function startServer(options: ServeOptions): Promise<Server> {
  if (options.dataDir !== undefined) process.env[FUNCTION_ENV.localDataDir] = options.dataDir;
  try {
    // Registers every function and validates their configuration from the environment; loaded
    // here, after --out has set the data folder, and inside the try so a bad variable is one line.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("../functions/src/index");
  } catch (error) {
    throw new CommandError(`cannot start ${options.target}: ${(error as Error).message}`);
  }
  const server = getTestServer(options.target);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(new UsageError("--port", `${options.port} is already in use; choose another port`));
      } else if (error.code === "EACCES") {
        reject(new UsageError("--port", `${options.port} needs privileges; use a port above 1023`));
      } else reject(error);
    });
    server.listen(options.port, () => resolve());
  });
  // No timeout on incoming connections, as the framework's own entry point sets: a backfill
  // request can run for minutes.
  server.setTimeout(0);
  return server;
}

/** The address a started server answers on. */
export function serverUrl(server: Server): string {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return `http://localhost:${port}/`;
}

async function serve(args: ParsedArgs): Promise<number> {
  const options = serveOptions(args);
  const server = await startServer(options);
  const backend = backendConfigFromEnv();
  const over =
    backend.kind === "local"
      ? `data folder ${backend.dataDir}`
      : `project ${backend.project}, bucket ${backend.bucket}`;
  process.stdout.write(
    `${options.target} listening on ${serverUrl(server)} (${over}; Ctrl-C stops)\n`,
  );
  return 0;
}

if (require.main === module) {
  keepTranslations();
  runMain(SERVE_COMMAND, serve);
}
