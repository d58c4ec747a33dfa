import { RequestLog, requestIdFrom, setLogSink } from "./log";

describe("requestIdFrom", () => {
  it("takes the trace id from X-Cloud-Trace-Context", () => {
    expect(
      requestIdFrom({ "x-cloud-trace-context": "0AF7651916CD43DD8448EB211C80319C/1;o=1" }),
    ).toBe("0af7651916cd43dd8448eb211c80319c");
  });

  it("takes the trace id from a W3C traceparent", () => {
    expect(
      requestIdFrom({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }),
    ).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("makes a fresh id when the header is absent or malformed", () => {
    const a = requestIdFrom({});
    const b = requestIdFrom({ "x-cloud-trace-context": "not-a-trace" });
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});

describe("RequestLog", () => {
  it("writes one JSON line per stage with severity, stage, seconds and the trace link", () => {
    const lines: string[] = [];
    const previous = setLogSink((l) => lines.push(l));
    try {
      const log = new RequestLog("generateData", "0af7651916cd43dd8448eb211c80319c", "shop-dev");
      log.stage("validated", { job: { users: 300 } });
      log.stage("failed", { error: "boom" }, "ERROR");
    } finally {
      setLogSink(previous);
    }
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries).toEqual([
      expect.objectContaining({
        severity: "INFO",
        message: "generateData validated",
        stage: "validated",
        function: "generateData",
        requestId: "0af7651916cd43dd8448eb211c80319c",
        "logging.googleapis.com/trace": "projects/shop-dev/traces/0af7651916cd43dd8448eb211c80319c",
        job: { users: 300 },
        seconds: expect.any(Number),
      }),
      expect.objectContaining({ severity: "ERROR", stage: "failed", error: "boom" }),
    ]);
  });

  it("links no trace for a generated id", () => {
    const lines: string[] = [];
    const previous = setLogSink((l) => lines.push(l));
    try {
      new RequestLog("refreshRfmSnapshot", "5f0c2a8e-1111-4222-8333-944455556666", "p").stage("x");
    } finally {
      setLogSink(previous);
    }
    expect(JSON.parse(lines[0]!)["logging.googleapis.com/trace"]).toBeUndefined();
  });
});
