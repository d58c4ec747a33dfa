import { randomUUID } from "node:crypto";

export type Severity = "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** One structured log line; Cloud Logging reads `severity` and `message` from JSON on stdout. */
export interface LogEntry {
  readonly severity: Severity;
  readonly message: string;
  readonly function: string;
  readonly requestId: string;
  readonly stage: string;
  readonly seconds: number;
  readonly [field: string]: unknown;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const TRACE_ID_RE = /^[0-9a-f]{32}$/i;

/**
 * The id that ties a request's log lines together: the trace id Google's front end puts in
 * `X-Cloud-Trace-Context` (`TRACE_ID/SPAN_ID;o=1`) or W3C `traceparent`, so the lines group with
 * the request in Cloud Logging; a fresh UUID when neither is present (local runs, tests).
 */
export function requestIdFrom(headers: Headers): string {
  const cloud = header(headers, "x-cloud-trace-context")?.split("/")[0]?.trim();
  if (cloud && TRACE_ID_RE.test(cloud)) return cloud.toLowerCase();
  const parent = header(headers, "traceparent")?.split("-")[1];
  if (parent && TRACE_ID_RE.test(parent)) return parent.toLowerCase();
  return randomUUID();
}

/** Where log lines go; replaceable so tests can read them. */
export type LogSink = (line: string) => void;

let sink: LogSink = (line) => process.stdout.write(line + "\n");

/**
 * Redirects log lines (tests read them; the replay keeps them in a file so its own progress stays
 * readable); returns the previous sink so it can be restored.
 */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

/**
 * Logs one line per stage of a request with the request id and the stage's duration. `stage()`
 * measures from the previous stage's end, so the lines of one request add up to its total.
 */
export class RequestLog {
  private readonly started = performance.now();
  private last = this.started;

  constructor(
    readonly fn: string,
    readonly requestId: string,
    private readonly project?: string,
  ) {}

  stage(stage: string, fields: Record<string, unknown> = {}, severity: Severity = "INFO"): void {
    const now = performance.now();
    const seconds = round3((now - this.last) / 1000);
    this.last = now;
    this.write({ severity, message: `${this.fn} ${stage}`, stage, seconds, ...fields });
  }

  /** Seconds since the request started. */
  elapsed(): number {
    return round3((performance.now() - this.started) / 1000);
  }

  private write(
    entry: Pick<LogEntry, "severity" | "message" | "stage" | "seconds"> & Record<string, unknown>,
  ): void {
    const line: LogEntry = {
      ...entry,
      function: this.fn,
      requestId: this.requestId,
      ...(this.project && TRACE_ID_RE.test(this.requestId)
        ? { "logging.googleapis.com/trace": `projects/${this.project}/traces/${this.requestId}` }
        : {}),
    };
    sink(JSON.stringify(line));
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
