import { z } from "zod";
import { ShardConflictError } from "../pipeline/lakeOwnership";
import { WorldMismatchError } from "../world/manifest";
import type { RequestLog } from "./log";
import { UnsupportedMediaTypeError } from "./requestBody";

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
 * A request that conflicts with the data already there (another world, another shard count):
 * answered with 409 before anything is written.
 */
function conflictOf(err: unknown): { error: string; message: string } | null {
  if (err instanceof WorldMismatchError) return { error: "world_mismatch", message: err.message };
  if (err instanceof ShardConflictError) return { error: "shard_conflict", message: err.message };
  return null;
}

/**
 * Answers a failed request with a JSON body that always carries the request id: 400 with the
 * fields at fault for bad input, 409 for a conflict with the stored data, 415 for a body that is
 * not JSON, 500 with the message for anything else. The stack goes to the log only, never to the
 * client. Returns the status sent.
 */
export function sendError(res: JsonResponse, err: unknown, log: RequestLog): number {
  const answer = (status: number, body: Record<string, unknown>) => {
    if (!res.headersSent) res.status(status).json({ ...body, requestId: log.requestId });
    return status;
  };
  if (err instanceof RequestError) {
    log.stage("rejected", { issues: err.issues }, "WARNING");
    return answer(400, { error: "invalid_request", message: err.message, issues: err.issues });
  }
  if (err instanceof UnsupportedMediaTypeError) {
    log.stage("rejected", { contentType: err.contentType }, "WARNING");
    return answer(415, { error: "unsupported_media_type", message: err.message });
  }
  const conflict = conflictOf(err);
  if (conflict) {
    log.stage("rejected", conflict, "WARNING");
    return answer(409, conflict);
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
  return answer(500, { error: "internal", message });
}

/** Whether an error is the caller's (400, 409, 415): nothing was done, so nothing is recorded. */
export function isRejection(err: unknown): boolean {
  return (
    err instanceof RequestError ||
    err instanceof UnsupportedMediaTypeError ||
    conflictOf(err) !== null
  );
}
