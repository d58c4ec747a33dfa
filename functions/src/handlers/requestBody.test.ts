import { RequestError } from "./httpErrors";
import { jsonBody } from "./requestBody";

function issuesOf(req: Parameters<typeof jsonBody>[0]): unknown {
  try {
    jsonBody(req);
  } catch (err) {
    if (err instanceof RequestError) return err.issues;
    throw err;
  }
  throw new Error("expected a RequestError");
}

describe("jsonBody", () => {
  it("takes an object the framework already parsed", () => {
    expect(jsonBody({ method: "POST", headers: {}, body: { date: "2024-03-05" } })).toEqual({
      date: "2024-03-05",
    });
  });

  it("reads an absent or empty body as all defaults", () => {
    expect(jsonBody({ method: "POST", headers: {} })).toEqual({});
    expect(jsonBody({ method: "POST", headers: {}, body: Buffer.alloc(0) })).toEqual({});
    expect(jsonBody({ method: "POST", headers: {}, body: "  " })).toEqual({});
  });

  it("parses JSON sent as bytes, as Cloud Scheduler sends it by default", () => {
    const body = Buffer.from('{"date":"2024-03-05"}');
    expect(jsonBody({ method: "POST", headers: {}, body })).toEqual({ date: "2024-03-05" });
  });

  it("refuses text that is not JSON, naming the body", () => {
    expect(issuesOf({ method: "POST", headers: {}, body: "date=2024-03-05" })).toEqual([
      { field: "body", message: "is not valid JSON" },
    ]);
  });

  it("refuses JSON that is not an object", () => {
    expect(issuesOf({ method: "POST", headers: {}, body: [1, 2] })).toEqual([
      { field: "body", message: "must be a JSON object" },
    ]);
    expect(issuesOf({ method: "POST", headers: {}, body: "42" })).toEqual([
      { field: "body", message: "must be a JSON object" },
    ]);
  });

  it("refuses any method but POST", () => {
    expect(issuesOf({ method: "PUT", headers: {}, body: {} })).toEqual([
      { field: "method", message: "must be POST, got PUT" },
    ]);
  });
});
