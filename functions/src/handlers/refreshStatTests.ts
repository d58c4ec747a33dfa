import { z } from "zod";
import { functionConfigFromEnv } from "../backends/fromEnv";
import { refreshStatTests as runStatTests, StatTestsError } from "../statTests/refreshStatTests";
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
import { resolveLoadedDate } from "./refreshRfmSnapshot";

/** The body of a `refreshStatTests` request. Unknown fields are refused. */
export const RefreshStatTestsBody = z
  .object({
    /** The run date the marts describe (default: the last loaded day). */
    runDate: z.iso.date("must be a date YYYY-MM-DD").optional(),
  })
  .strict();

/** The run date to test (`resolveLoadedDate` for the `runDate` field): the marts describe loaded data. */
export function resolveRunDate(asked: string | null, manifest: WorldManifest | null): string {
  return resolveLoadedDate(asked, manifest, "runDate");
}

/**
 * `refreshStatTests`: runs every significance test on the marts of the run date and replaces
 * `marts.dm_stat_tests`. Running it twice for a date leaves the same table.
 */
export async function refreshStatTests(req: HttpRequest, res: JsonResponse): Promise<void> {
  const log = new RequestLog(
    "refreshStatTests",
    requestIdFrom(req.headers),
    process.env.GOOGLE_CLOUD_PROJECT,
  );
  const tracker = new RunTracker("refreshStatTests", log.requestId);
  try {
    const config = functionConfigFromEnv();
    const asked = parseRequest(RefreshStatTestsBody, await readJsonBody(req)).runDate ?? null;
    log.stage("validated", { runDate: asked, backend: config.backend.kind });
    const result = await withBackends(config.backend, async ({ warehouse }) => {
      log.stage("opened_backends", { warehouse: warehouse.kind });
      const manifest = await warehouse.readManifest();
      if (config.backend.kind === "cloud" || config.generator.explicit)
        assertSameWorld("The warehouse", manifest, syntheticWorld(config.generator));
      const runDate = resolveRunDate(asked, manifest);
      const days = { start: runDate, end: runDate };
      try {
        tracker.step = "stats";
        const summary = await runStatTests(warehouse, runDate).catch((err: unknown) => {
          if (err instanceof StatTestsError)
            throw new RequestError([{ field: "runDate", message: err.message }]);
          throw err;
        });
        log.stage("stats", { tests: summary.tests, flagged: summary.flagged });
        await recordRunQuietly(
          warehouse,
          tracker.record({
            status: "succeeded",
            worldId: manifest?.worldId,
            days,
            dataThrough: manifest?.dataThrough,
            rows: { dm_stat_tests: summary.tests },
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
