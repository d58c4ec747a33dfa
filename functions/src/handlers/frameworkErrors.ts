// The module object itself (a default import), so the framework's own `require("http")` sees the patch.
import http from "node:http";
import type { Request, Response } from "@google-cloud/functions-framework";
import { requestIdFrom } from "./log";

/**
 * Malformed JSON sent as `application/json` is refused by the Functions Framework's body parser
 * before a handler runs, and Express's default error handler answers with an HTML page and no
 * request id. The framework has no hook for its own errors
 * (https://github.com/GoogleCloudPlatform/functions-framework-nodejs/issues/686, proposed fix
 * https://github.com/GoogleCloudPlatform/functions-framework-nodejs/pull/685), so this adds a
 * standard Express error handler to the framework's app when the framework creates its server:
 * a body parser's error becomes the same JSON 400 every other bad input gets.
 */
export function jsonParseErrorHandler(
  err: unknown,
  req: Request,
  res: Response,
  next: (err?: unknown) => void,
): void {
  const e = err as { type?: string; status?: number; message?: string } | null;
  if (e?.type !== "entity.parse.failed" && e?.type !== "encoding.unsupported") {
    next(err);
    return;
  }
  res.status(e.status ?? 400).json({
    error: "invalid_request",
    message: `Invalid request: body: is not valid JSON (${e.message ?? "parse error"})`,
    issues: [{ field: "body", message: "is not valid JSON" }],
    requestId: requestIdFrom(req.headers),
  });
}

let installed = false;

/**
 * Wraps `http.createServer` once so that the Express app the framework passes it gets
 * `jsonParseErrorHandler` as its last middleware. Only an Express app (a listener with `use`) is
 * touched; any other server is created as before.
 */
export function installJsonParseErrorHandler(): void {
  if (installed) return;
  installed = true;
  const create = http.createServer.bind(http);
  const patched = ((...args: unknown[]) => {
    const listener = args.find((a) => typeof a === "function") as
      ({ use?: (handler: unknown) => void } & ((...a: unknown[]) => void)) | undefined;
    if (listener && typeof listener.use === "function") listener.use(jsonParseErrorHandler);
    return (create as (...a: unknown[]) => http.Server)(...args);
  }) as typeof http.createServer;
  http.createServer = patched;
}
