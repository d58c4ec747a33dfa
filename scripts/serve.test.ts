import { createServer, type Server } from "node:net";
import type { Server as HttpServer } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCommandLine, UsageError } from "./cli/command";
import { FUNCTION_NAMES } from "../functions/src/functionNames";
import { SERVE_COMMAND, serveOptions, serverUrl, startServer } from "./serve";

const parse = (argv: string[]) => serveOptions(parseCommandLine(SERVE_COMMAND, argv));
const closing: (Server | HttpServer)[] = [];
afterAll(async () => {
  await Promise.all(closing.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe("npm run serve", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "serve-"));

  it("requires a known --target and a port number", () => {
    expect(() => parse([])).toThrow(/^--target: is required/);
    expect(() => parse(["--target", "nope"])).toThrow(
      '--target: "nope" is not one of generateData, refreshRfmSnapshot',
    );
    expect(() => parse(["--target", "generateData", "--port", "http"])).toThrow(/^--port: /);
    expect(parse(["--target=generateData", "--port=8081"])).toEqual({
      target: "generateData",
      port: 8081,
    });
  });

  it("serves any function the entry point registers", () => {
    for (const name of FUNCTION_NAMES) expect(parse(["--target", name]).target).toBe(name);
  });

  it("listens, says its URL, and answers like the deployed function", async () => {
    const server = await startServer({ target: "generateData", port: 0, dataDir });
    closing.push(server);
    const url = serverUrl(server);
    expect(url).toMatch(/^http:\/\/localhost:\d+\/$/);
    // An unknown field is refused by the function's own validation, before any work.
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ bogus: 1 }),
    });
    expect(response.status).toBe(400);
  });

  it("turns a busy port into one usage error naming --port", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    closing.push(blocker);
    const port = (blocker.address() as { port: number }).port;
    const error = await startServer({ target: "refreshRfmSnapshot", port, dataDir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`--port: ${port} is already in use; choose another port`);
  });
});
