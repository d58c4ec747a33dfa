import { z } from "zod";
import type { Warehouse } from "../backends/types";
import { functionConfigFromEnv } from "../backends/fromEnv";
import { assertSameWorld, syntheticWorld, type WorldManifest } from "../world/manifest";
import { RunTracker, recordRunQuietly, type RunKind } from "../world/runRecord";
import { withBackends } from "./backends";
import {
  isRejection,
  parseRequest,
  RequestError,
  sendError,
  type JsonResponse,
} from "./httpErrors";
import { RequestLog, requestIdFrom } from "./log";
import { readJsonBody, type HttpRequest } from "./requestBody";

/** The body field that names a step's date. */
export type DateField = "snapshotDate" | "runDate";

/**
 * The date a step over loaded data runs for: the one asked for (in `field`), or the warehouse's
 * last loaded day. Snapshots and tests describe loaded data only, so a date after the last loaded
 * day (the data would be missing, and every buyer would look lapsed) or before the world's first
 * day is refused naming the field.
 */
export function resolveLoadedDate(
  asked: string | null,
  manifest: WorldManifest | null,
  field: DateField,
): string {
  const issue = (message: string) => new RequestError([{ field, message }]);
  if (manifest === null || manifest.dataThrough === null)
    throw issue("the warehouse holds no data yet; load days with generateData first");
  const date = asked ?? manifest.dataThrough;
  if (date > manifest.dataThrough)
    throw issue(`${date} is after the last loaded day ${manifest.dataThrough}`);
  if (date < manifest.startDate)
    throw issue(`${date} is before the world's first day ${manifest.startDate}`);
  return date;
}

/** The body of a date step's request: one optional date in `field`; unknown fields are refused. */
export function dateStepBody(field: DateField, meaning: string) {
  return z
    .object({ [field]: z.iso.date("must be a date YYYY-MM-DD").optional().describe(meaning) })
    .strict();
}

/** What one date step of the nightly chain does, for `dateStepHandler`. */
export interface DateStep<S> {
  /** The function's name: its log name and its run record's kind. */
  readonly name: RunKind;
  /** The body field that names the date. */
  readonly field: DateField;
  /** What the date means, for the body's schema. */
  readonly meaning: string;
  /** The run record's step name while `run` works. */
  readonly step: string;
  /** The work for one date; its summary is the answer's body. */
  readonly run: (warehouse: Warehouse, date: string) => Promise<S>;
  /** Whether an error of `run` is the caller's to fix (answered 400, naming the field). */
  readonly callerError?: (error: unknown) => boolean;
  /** The fields of the log line the step writes when `run` is done. */
  readonly logged: (summary: S) => Record<string, unknown>;
  /** Rows written per table, for the run record. */
  readonly rows: (summary: S) => Record<string, number>;
  /** The fields of the closing `done` log line (default the whole summary as `result`). */
  readonly done?: (summary: S) => Record<string, unknown>;
}

/**
 * The HTTP function of a date step (`refreshRfmSnapshot`, `refreshClvSnapshot`,
 * `refreshStatTests`): one frame for what the three share. It reads and validates the body (a
 * bad one is answered 400 before any backend opens), refuses a warehouse of another world when
 * the deployment names its world (always in the cloud; 409), resolves the date over the loaded
 * data (`resolveLoadedDate`), runs the step and writes one run-record row, `succeeded` with its
 * rows or `failed` with its error; a refusal (the caller's error) records nothing. Answers 200
 * with the request id, the step's summary and the seconds taken.
 */
export function dateStepHandler<S extends object>(
  step: DateStep<S>,
): (req: HttpRequest, res: JsonResponse) => Promise<void> {
  const body = dateStepBody(step.field, step.meaning);
  return async (req, res) => {
    const log = new RequestLog(
      step.name,
      requestIdFrom(req.headers),
      process.env.GOOGLE_CLOUD_PROJECT,
    );
    const tracker = new RunTracker(step.name, log.requestId);
    try {
      const config = functionConfigFromEnv();
      const asked = parseRequest(body, await readJsonBody(req))[step.field] ?? null;
      log.stage("validated", { [step.field]: asked, backend: config.backend.kind });
      const result = await withBackends(config.backend, async ({ warehouse }) => {
        log.stage("opened_backends", { warehouse: warehouse.kind });
        const manifest = await warehouse.readManifest();
        // A deployment that names its world (always in the cloud) refuses data of another one.
        if (config.backend.kind === "cloud" || config.generator.explicit)
          assertSameWorld("The warehouse", manifest, syntheticWorld(config.generator));
        const date = resolveLoadedDate(asked, manifest, step.field);
        const days = { start: date, end: date };
        try {
          tracker.step = step.step;
          const summary = await step.run(warehouse, date).catch((err: unknown) => {
            if (step.callerError?.(err))
              throw new RequestError([{ field: step.field, message: (err as Error).message }]);
            throw err;
          });
          log.stage(step.step, step.logged(summary));
          await recordRunQuietly(
            warehouse,
            tracker.record({
              status: "succeeded",
              worldId: manifest?.worldId,
              days,
              dataThrough: manifest?.dataThrough,
              rows: step.rows(summary),
            }),
          );
          return summary;
        } catch (err) {
          if (!isRejection(err))
            await recordRunQuietly(
              warehouse,
              tracker.record({ status: "failed", worldId: manifest?.worldId, days, error: err }),
            );
          throw err;
        }
      });
      const seconds = log.elapsed();
      log.stage("done", { ...(step.done?.(result) ?? { result }), seconds_total: seconds });
      res.status(200).json({ requestId: log.requestId, ...result, seconds });
    } catch (err) {
      sendError(res, err, log);
    }
  };
}
