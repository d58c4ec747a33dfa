import { z } from "zod";
import { functionConfigFromEnv } from "../backends/fromEnv";
import { refreshClvSnapshot as refreshClv } from "../clv/refreshClv";
import { assertSameWorld, syntheticWorld } from "../world/manifest";
import { RunTracker, recordRunQuietly } from "../world/runRecord";
import { withBackends } from "./backends";
import { isRejection, parseRequest, sendError, type JsonResponse } from "./httpErrors";
import { RequestLog, requestIdFrom } from "./log";
import { resolveSnapshotDate } from "./refreshRfmSnapshot";
import { readJsonBody, type HttpRequest } from "./requestBody";

/** The body of a `refreshClvSnapshot` request: the same as the RFM snapshot's. */
export const RefreshClvBody = z
  .object({
    /** The day the histories run to (default: the last loaded day); its partitions are replaced. */
    snapshotDate: z.iso.date("must be a date YYYY-MM-DD").optional(),
  })
  .strict();

/**
 * `refreshClvSnapshot`: fits BG/NBD and Gamma-Gamma on every buyer's purchase history up to the
 * snapshot date and replaces that date's partitions of `snapshots.clv_daily` and
 * `snapshots.clv_fit` (`functions/src/clv/refreshClv.ts`). Dates follow the RFM snapshot's rules
 * (loaded data only, default the last loaded day); a deployment that names its world refuses
 * another one with 409. A date with no repeat buyer yet answers 200 with `status: "skipped"`
 * and the reason, its partitions emptied.
 */
export async function refreshClvSnapshot(req: HttpRequest, res: JsonResponse): Promise<void> {
  const log = new RequestLog(
    "refreshClvSnapshot",
    requestIdFrom(req.headers),
    process.env.GOOGLE_CLOUD_PROJECT,
  );
  const tracker = new RunTracker("refreshClvSnapshot", log.requestId);
  try {
    const config = functionConfigFromEnv();
    const asked = parseRequest(RefreshClvBody, await readJsonBody(req)).snapshotDate ?? null;
    log.stage("validated", { snapshotDate: asked, backend: config.backend.kind });
    const result = await withBackends(config.backend, async ({ warehouse }) => {
      log.stage("opened_backends", { warehouse: warehouse.kind });
      const manifest = await warehouse.readManifest();
      if (config.backend.kind === "cloud" || config.generator.explicit)
        assertSameWorld("The warehouse", manifest, syntheticWorld(config.generator));
      const snapshotDate = resolveSnapshotDate(asked, manifest);
      const days = { start: snapshotDate, end: snapshotDate };
      try {
        tracker.step = "clv";
        const summary = await refreshClv(warehouse, snapshotDate);
        log.stage("clv", { status: summary.status, customers: summary.customers });
        await recordRunQuietly(
          warehouse,
          tracker.record({
            status: "succeeded",
            worldId: manifest?.worldId,
            days,
            dataThrough: manifest?.dataThrough,
            rows: { clv_daily: summary.status === "fitted" ? summary.customers : 0 },
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
    log.stage("done", { status: result.status, seconds_total: seconds });
    res.status(200).json({ requestId: log.requestId, ...result, seconds });
  } catch (err) {
    sendError(res, err, log);
  }
}
