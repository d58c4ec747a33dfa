import { z } from "zod";
import { functionConfigFromEnv } from "../backends/fromEnv";
import { refreshRfmSnapshot as refreshSnapshot, RfmRefreshError } from "../rfm/refreshRfm";
import { assertSameWorld, syntheticWorld, type WorldManifest } from "../world/manifest";
import { RunTracker, recordRunQuietly } from "../world/runRecord";
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

/** The body of a `refreshRfmSnapshot` request. Unknown fields are refused. */
export const RefreshRfmBody = z
  .object({
    /** The day the snapshot describes (default: the last loaded day); its partition is replaced. */
    snapshotDate: z.iso.date("must be a date YYYY-MM-DD").optional(),
  })
  .strict();

/** The snapshot date a body asks for, validated for form only (null: the default). */
export function requestedSnapshotDate(body: unknown): string | null {
  return parseRequest(RefreshRfmBody, body).snapshotDate ?? null;
}

/**
 * The date a step over loaded data runs for: the one asked for (in `field`), or the warehouse's
 * last loaded day. Snapshots and tests describe loaded data only, so a date after the last loaded
 * day (the data would be missing, and every buyer would look lapsed) or before the world's first
 * day is refused naming the field.
 */
export function resolveLoadedDate(
  asked: string | null,
  manifest: WorldManifest | null,
  field: "snapshotDate" | "runDate",
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

/** The snapshot date to take (`resolveLoadedDate` for the `snapshotDate` field). */
export function resolveSnapshotDate(asked: string | null, manifest: WorldManifest | null): string {
  return resolveLoadedDate(asked, manifest, "snapshotDate");
}

/**
 * `refreshRfmSnapshot`: replaces one day's RFM snapshot partition and records segment moves in
 * the history, all or nothing. Running it twice for a date leaves one snapshot for that date.
 */
export async function refreshRfmSnapshot(req: HttpRequest, res: JsonResponse): Promise<void> {
  const log = new RequestLog(
    "refreshRfmSnapshot",
    requestIdFrom(req.headers),
    process.env.GOOGLE_CLOUD_PROJECT,
  );
  const tracker = new RunTracker("refreshRfmSnapshot", log.requestId);
  try {
    const config = functionConfigFromEnv();
    const asked = requestedSnapshotDate(await readJsonBody(req));
    log.stage("validated", { snapshotDate: asked, backend: config.backend.kind });
    const result = await withBackends(config.backend, async ({ warehouse }) => {
      log.stage("opened_backends", { warehouse: warehouse.kind });
      const manifest = await warehouse.readManifest();
      // A deployment that names its world (always in the cloud) refuses data of another one.
      if (config.backend.kind === "cloud" || config.generator.explicit)
        assertSameWorld("The warehouse", manifest, syntheticWorld(config.generator));
      const snapshotDate = resolveSnapshotDate(asked, manifest);
      const days = { start: snapshotDate, end: snapshotDate };
      try {
        tracker.step = "snapshot";
        const summary = await refreshSnapshot(warehouse, snapshotDate).catch((err: unknown) => {
          // A date the history cannot take (older than its latest) is the caller's to fix.
          if (err instanceof RfmRefreshError)
            throw new RequestError([{ field: "snapshotDate", message: err.message }]);
          throw err;
        });
        log.stage("snapshot", { users: summary.users, movements: summary.movements.length });
        await recordRunQuietly(
          warehouse,
          tracker.record({
            status: "succeeded",
            worldId: manifest?.worldId,
            days,
            dataThrough: manifest?.dataThrough,
            rows: { rfm_daily: summary.users },
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
    log.stage("done", { result, seconds_total: seconds });
    res.status(200).json({ requestId: log.requestId, ...result, seconds });
  } catch (err) {
    sendError(res, err, log);
  }
}
