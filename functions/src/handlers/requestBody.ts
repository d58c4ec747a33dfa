import { RequestError } from "./httpErrors";

/** The parts of an Express request the handlers read. */
export interface HttpRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
  /** The bytes as received, kept by the Functions Framework whenever one of its parsers ran. */
  readonly rawBody?: Buffer;
  /** The request stream, unread when no parser took the body (no Content-Type at all). */
  [Symbol.asyncIterator]?: () => AsyncIterator<unknown>;
}

/** A body the handlers cannot read as JSON, sent as another media type: answered with 415. */
export class UnsupportedMediaTypeError extends Error {
  constructor(readonly contentType: string) {
    super(
      `The body (Content-Type: ${contentType || "none"}) is not JSON; send a JSON object, ` +
        `preferably with Content-Type: application/json`,
    );
    this.name = "UnsupportedMediaTypeError";
  }
}

/** True for `application/json` and `application/<x>+json`, whatever the parameters. */
export function isJsonMediaType(contentType: string): boolean {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[\w.-]+\+json$/.test(type);
}

/**
 * The request's JSON body. The framework has already parsed `application/json`. A body sent with
 * another content type, or with none, is never ignored: it is read from the bytes the framework
 * kept (or from the stream when no parser ran) and parsed as JSON, because Cloud Scheduler sends
 * `application/octet-stream` unless told otherwise and `curl -d` sends a form type; bytes that are
 * not JSON are refused with `UnsupportedMediaTypeError` (415). An empty body means "all
 * defaults". A JSON value that is not an object is refused naming `body` (400).
 */
export async function readJsonBody(req: HttpRequest): Promise<unknown> {
  if (req.method !== "POST") {
    throw new RequestError([{ field: "method", message: `must be POST, got ${req.method}` }]);
  }
  const header = req.headers["content-type"];
  const contentType = (Array.isArray(header) ? header[0] : header) ?? "";
  let body: unknown = req.body;
  if (!isJsonMediaType(contentType)) {
    const text = await bodyText(req);
    if (text.trim() === "") return {};
    try {
      body = JSON.parse(text);
    } catch {
      throw new UnsupportedMediaTypeError(contentType);
    }
  }
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) {
    throw new RequestError([{ field: "body", message: "must be a JSON object" }]);
  }
  return body;
}

/** The body as text: the kept bytes, a parser's string or bytes, or the unread stream. */
async function bodyText(req: HttpRequest): Promise<string> {
  if (req.rawBody) return req.rawBody.toString("utf8");
  if (typeof req.body === "string") return req.body;
  if (Buffer.isBuffer(req.body)) return req.body.toString("utf8");
  const stream = req[Symbol.asyncIterator];
  if (req.body === undefined && stream) {
    const chunks: Buffer[] = [];
    for await (const chunk of { [Symbol.asyncIterator]: stream.bind(req) })
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString("utf8");
  }
  return "";
}
