import { z } from "zod";
import type { RequestLog } from "./log";

/** One problem with a request, named by the field it concerns (`shard.index`, `endDate`, `body`). */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** Bad input: answered with 400 and the fields at fault, before anything is written. */
export class RequestError extends Error {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`Invalid request: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
    this.name = "RequestError";
  }
}

/**
 * Zod issues as a flat list of named fields. An unknown key is reported under its own name (zod
 * files it under the parent object), so a typo like `user` names `user`, not the whole body.
 */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: base ? `${base}.${key}` : key,
        message: "is not a known field",
      }));
    }
    return [{ field: base || "body", message: issue.message }];
  });
}

/** Parses `body` with `schema`, or throws a RequestError naming every field at fault. */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new RequestError(fieldIssues(parsed.error));
  return parsed.data;
}

/** The subset of Express's response the handlers use. */
export interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): unknown;
  readonly headersSent: boolean;
}

/**
 * Answers a failed request with a JSON body: 400 with the fields at fault for bad input, 500 with
 * the message for anything else. The stack goes to the log only, never to the client.
 */
export function sendError(res: JsonResponse, err: unknown, log: RequestLog): void {
  if (err instanceof RequestError) {
    log.stage("rejected", { issues: err.issues }, "WARNING");
    if (!res.headersSent) {
      res.status(400).json({
        error: "invalid_request",
        message: err.message,
        issues: err.issues,
        requestId: log.requestId,
      });
    }
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  log.stage(
    "failed",
    {
      error: message,
      stack: err instanceof Error ? err.stack : undefined,
      seconds_total: log.elapsed(),
    },
    "ERROR",
  );
  if (!res.headersSent) {
    res.status(500).json({ error: "internal", message, requestId: log.requestId });
  }
}
