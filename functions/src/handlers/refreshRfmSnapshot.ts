import { z } from "zod";
import { functionConfigFromEnv } from "../backends/fromEnv";
import { refreshRfmSnapshot as refreshSnapshot, RfmRefreshError } from "../rfm/refreshRfm";
import { withBackends } from "./backends";
import { utcDay } from "./generateRequest";
import { parseRequest, RequestError, sendError, type JsonResponse } from "./httpErrors";
import { RequestLog, requestIdFrom } from "./log";
import { jsonBody, type HttpRequest } from "./requestBody";

/** The body of a `refreshRfmSnapshot` request. Unknown fields are refused. */
export const RefreshRfmBody = z
  .object({
    /** The day the snapshot describes (default: today, UTC); its partition is replaced. */
    snapshotDate: z.iso.date("must be a date YYYY-MM-DD").optional(),
  })
  .strict();

/** The snapshot date a body asks for, validated, defaulting to today (UTC). */
export function resolveSnapshotDate(body: unknown, now: Date = new Date()): string {
  return parseRequest(RefreshRfmBody, body).snapshotDate ?? utcDay(now);
}

/**
 * `refreshRfmSnapshot`: replaces one day's RFM snapshot partition and records segment moves in
 * the history. Running it twice for a date leaves one snapshot for that date.
 */
export async function refreshRfmSnapshot(req: HttpRequest, res: JsonResponse): Promise<void> {
  const log = new RequestLog(
    "refreshRfmSnapshot",
    requestIdFrom(req.headers),
    process.env.GOOGLE_CLOUD_PROJECT,
  );
  try {
    const config = functionConfigFromEnv();
    const snapshotDate = resolveSnapshotDate(jsonBody(req));
    log.stage("validated", { snapshotDate, backend: config.backend.kind });
    const result = await withBackends(config.backend, async ({ warehouse }) => {
      log.stage("opened_backends", { warehouse: warehouse.kind });
      try {
        const summary = await refreshSnapshot(warehouse, snapshotDate);
        log.stage("snapshot", { users: summary.users, movements: summary.movements.length });
        return summary;
      } catch (err) {
        // A date the history cannot take (older than its latest) is the caller's to fix.
        if (err instanceof RfmRefreshError) {
          throw new RequestError([{ field: "snapshotDate", message: err.message }]);
        }
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
