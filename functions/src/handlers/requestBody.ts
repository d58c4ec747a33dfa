import { RequestError } from "./httpErrors";

/** The parts of an Express request the handlers read. */
export interface HttpRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
}

/**
 * The request's JSON body. The framework has already parsed `application/json`; a body sent with
 * another content type (Cloud Scheduler defaults to `application/octet-stream`) arrives as text or
 * bytes and is parsed here, and an empty body means "all defaults". Anything that is not a JSON
 * object is refused naming `body`.
 */
export function jsonBody(req: HttpRequest): unknown {
  if (req.method !== "POST") {
    throw new RequestError([{ field: "method", message: `must be POST, got ${req.method}` }]);
  }
  let body = req.body;
  if (body === undefined || body === null) return {};
  if (Buffer.isBuffer(body)) body = body.toString("utf8");
  if (typeof body === "string") {
    if (body.trim() === "") return {};
    try {
      body = JSON.parse(body);
    } catch {
      throw new RequestError([{ field: "body", message: "is not valid JSON" }]);
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RequestError([{ field: "body", message: "must be a JSON object" }]);
  }
  return body;
}
