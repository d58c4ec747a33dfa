// The module object itself (a default import), so the framework's own `require("http")` sees the patch.
import http from "node:http";
import type { Request, Response } from "@google-cloud/functions-framework";
import { requestIdFrom } from "./log";

/**
 * A body the Functions Framework's body parser refuses (malformed JSON sent as
 * `application/json`, a charset it cannot decode, a compressed body that does not decompress) is
 * refused before a handler runs, and Express's default error handler answers with an HTML page,
 * a stack trace and no request id. The framework has no hook for its own errors
 * (https://github.com/GoogleCloudPlatform/functions-framework-nodejs/issues/686, proposed fix
 * https://github.com/GoogleCloudPlatform/functions-framework-nodejs/pull/685), so this adds a
 * standard Express error handler to the framework's app when the framework creates its server:
 * such a refusal (a 4xx status) gets the JSON body every other bad input gets, with its status
 * kept: 415 for what cannot be decoded, as a non-JSON content type gets, 400 otherwise.
 */
export function jsonParseErrorHandler(
  err: unknown,
  req: Request,
  res: Response,
  next: (err?: unknown) => void,
): void {
  const e = err as { type?: string; status?: number; message?: string } | null;
  const status = e?.status;
  if (typeof status !== "number" || status < 400 || status > 499) {
    next(err);
    return;
  }
  const detail = e?.message ?? "parse error";
  const requestId = requestIdFrom(req.headers);
  if (status === 415) {
    res.status(415).json({
      error: "unsupported_media_type",
      message: `Unsupported body: ${detail}`,
      requestId,
    });
    return;
  }
  const problem = e?.type === "entity.parse.failed" ? "is not valid JSON" : "cannot be read";
  res.status(status).json({
    error: "invalid_request",
    message: `Invalid request: body: ${problem} (${detail})`,
    issues: [{ field: "body", message: problem }],
    requestId,
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
