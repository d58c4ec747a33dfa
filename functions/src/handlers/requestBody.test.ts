import { Readable } from "node:stream";
import { RequestError } from "./httpErrors";
import {
  isJsonMediaType,
  readJsonBody,
  UnsupportedMediaTypeError,
  type HttpRequest,
} from "./requestBody";

const json = { "content-type": "application/json" };

async function refusalOf(req: HttpRequest): Promise<unknown> {
  try {
    await readJsonBody(req);
  } catch (err) {
    if (err instanceof RequestError) return err.issues;
    return err;
  }
  throw new Error("expected a refusal");
}

/** A request whose body no parser took: the stream is still unread. */
function streamed(text: string, headers: Record<string, string> = {}): HttpRequest {
  const stream = Readable.from([Buffer.from(text)]);
  return Object.assign(stream, { method: "POST", headers }) as unknown as HttpRequest;
}

describe("readJsonBody", () => {
  it("takes an object the framework already parsed from application/json", async () => {
    await expect(
      readJsonBody({ method: "POST", headers: json, body: { date: "2024-03-05" } }),
    ).resolves.toEqual({ date: "2024-03-05" });
  });

  it("reads an absent or empty body as all defaults", async () => {
    await expect(readJsonBody({ method: "POST", headers: {} })).resolves.toEqual({});
    await expect(
      readJsonBody({ method: "POST", headers: {}, body: Buffer.alloc(0) }),
    ).resolves.toEqual({});
    await expect(readJsonBody({ method: "POST", headers: {}, body: "  " })).resolves.toEqual({});
  });

  it("parses JSON sent as bytes, as Cloud Scheduler sends it by default", async () => {
    const body = Buffer.from('{"date":"2024-03-05"}');
    await expect(
      readJsonBody({
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body,
      }),
    ).resolves.toEqual({ date: "2024-03-05" });
  });

  it("parses JSON from the kept bytes when curl -d sent it as a form", async () => {
    const raw = '{"date":"2024-03-05","dryRun":true}';
    await expect(
      readJsonBody({
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: { [raw]: "" },
        rawBody: Buffer.from(raw),
      }),
    ).resolves.toEqual({ date: "2024-03-05", dryRun: true });
  });

  it("reads the stream of a body sent with no Content-Type at all, never ignoring it", async () => {
    await expect(readJsonBody(streamed('{"date":"2024-03-05","dryRun":true}'))).resolves.toEqual({
      date: "2024-03-05",
      dryRun: true,
    });
  });

  it("refuses bytes that are not JSON with 415, naming the content type", async () => {
    const refusal = await refusalOf({
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "date=2024-03-05",
    });
    expect(refusal).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((refusal as Error).message).toMatch(/Content-Type: text\/plain\) is not JSON/);
  });

  it("refuses JSON that is not an object", async () => {
    expect(await refusalOf({ method: "POST", headers: json, body: [1, 2] })).toEqual([
      { field: "body", message: "must be a JSON object" },
    ]);
    expect(await refusalOf({ method: "POST", headers: {}, body: "42" })).toEqual([
      { field: "body", message: "must be a JSON object" },
    ]);
  });

  it("refuses any method but POST", async () => {
    expect(await refusalOf({ method: "PUT", headers: {}, body: {} })).toEqual([
      { field: "method", message: "must be POST, got PUT" },
    ]);
  });
});

describe("isJsonMediaType", () => {
  it("knows JSON whatever its parameters or suffix", () => {
    expect(isJsonMediaType("application/json; charset=utf-8")).toBe(true);
    expect(isJsonMediaType("application/cloudevents+json")).toBe(true);
    expect(isJsonMediaType("text/plain")).toBe(false);
    expect(isJsonMediaType("")).toBe(false);
  });
});
