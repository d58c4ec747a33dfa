import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { functionConfigFromEnv } from "../backends/fromEnv";
import type { Lake } from "../backends/types";
import { OrdersInputError } from "../orders/inputError";
import { MappingError, parseMapping, type OrdersMapping } from "../orders/mapping";
import { ordersToWarehouse } from "../orders/ordersToWarehouse";
import { RunTracker, recordRunQuietly } from "../world/runRecord";
import { withBackends } from "./backends";
import { isRejection, RequestError, sendError, type JsonResponse } from "./httpErrors";
import { RequestLog, requestIdFrom } from "./log";
import { resolveOrdersJob } from "./ordersRequest";
import { readJsonBody, type HttpRequest } from "./requestBody";

/** The mapping a job names: read from the lake and validated, or validated as given. */
async function readMapping(lake: Lake, mapping: string | object): Promise<OrdersMapping> {
  try {
    if (typeof mapping !== "string") return parseMapping(mapping, "mapping");
    const text = await lake.readText(mapping);
    if (text === null) {
      throw new RequestError([
        {
          field: "mapping",
          message: `${mapping}: no such object in the lake (put it beside the file)`,
        },
      ]);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new MappingError(`${mapping}: not JSON (${(error as Error).message})`);
    }
    return parseMapping(json, mapping);
  } catch (error) {
    if (error instanceof MappingError)
      throw new RequestError([{ field: "mapping", message: error.message }]);
    throw error;
  }
}

/**
 * `loadOrders`: loads an orders file from the lake's `incoming/` prefix into the raw tables with
 * the same loader as `npm start -- --orders` (`functions/src/orders/`): the file is read through
 * its mapping, cleaned, derived into the contract's tables, written to the lake's `raw/` and
 * loaded, with the world manifest (source `orders`, the absent tables). Called by a Pub/Sub push
 * of the bucket's notification when a file lands under `incoming/` (its mapping beside it, as
 * `<name>.mapping.json`, uploaded first), or by a direct POST naming the file and the mapping.
 *
 * The errors are the other handlers': bad input is a 400 naming the field, and for the file
 * itself its row and column (`OrdersInputError`), before anything is written; data of another
 * world (the generated shop, or another file's) is a 409, nothing written.
 */
export async function loadOrders(req: HttpRequest, res: JsonResponse): Promise<void> {
  const log = new RequestLog(
    "loadOrders",
    requestIdFrom(req.headers),
    process.env.GOOGLE_CLOUD_PROJECT,
  );
  const tracker = new RunTracker("loadOrders", log.requestId);
  try {
    const config = functionConfigFromEnv();
    const bucket = config.backend.kind === "cloud" ? config.backend.bucket : null;
    const job = resolveOrdersJob(await readJsonBody(req), bucket);
    log.stage("validated", { job, backend: config.backend.kind });
    if (job.kind === "ignore") {
      log.stage("done", { ignored: job.reason, seconds_total: log.elapsed() });
      res
        .status(200)
        .json({ requestId: log.requestId, status: "ignored", file: job.file, reason: job.reason });
      return;
    }
    const summary = await withBackends(config.backend, async (backends) => {
      log.stage("opened_backends", {
        lake: backends.lake.kind,
        warehouse: backends.warehouse.kind,
      });
      tracker.step = "read";
      const mapping = await readMapping(backends.lake, job.mapping);
      const scratch = await mkdtemp(join(tmpdir(), "load-orders-"));
      try {
        const local = join(scratch, basename(job.file));
        if (!(await backends.lake.getFile(job.file, local)))
          throw new RequestError([
            { field: "file", message: `${job.file}: no such object in the lake` },
          ]);
        log.stage("read");
        tracker.step = "load";
        const loaded = await ordersToWarehouse(local, mapping, backends).catch((error: unknown) => {
          // Bad input names the lake path, the row and the column; nothing was written.
          if (error instanceof OrdersInputError)
            throw new RequestError([
              { field: "file", message: error.message.split(local).join(job.file) },
            ]);
          throw error;
        });
        log.stage("load", { rowsKept: loaded.rowsKept, files: loaded.files });
        const manifest = await backends.warehouse.readManifest();
        await recordRunQuietly(
          backends.warehouse,
          tracker.record({
            status: "succeeded",
            worldId: manifest?.worldId,
            days: { start: loaded.firstDay, end: loaded.lastDay },
            dataThrough: manifest?.dataThrough,
            rows: loaded.tables,
          }),
        );
        return { ...loaded, file: job.file, worldId: manifest?.worldId ?? null };
      } catch (error) {
        if (!isRejection(error))
          await recordRunQuietly(backends.warehouse, tracker.record({ status: "failed", error }));
        throw error;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
    const seconds = log.elapsed();
    log.stage("done", { rowsKept: summary.rowsKept, seconds_total: seconds });
    const { loadJobs, ...rest } = summary;
    res.status(200).json({
      requestId: log.requestId,
      status: "loaded",
      mapping: typeof job.mapping === "string" ? job.mapping : "(inline)",
      ...rest,
      loadJobs: loadJobs.length,
      seconds,
    });
  } catch (err) {
    sendError(res, err, log);
  }
}
