import { functionConfigFromEnv } from "../backends/fromEnv";
import {
  generateAndLoad,
  type GenerateAndLoadRequest,
  type GenerateAndLoadSummary,
} from "../pipeline/generateAndLoad";
import { RunTracker, recordRunQuietly } from "../world/runRecord";
import { dryRunBackends, withBackends, type Backends } from "./backends";
import {
  resolveGenerateJob,
  resolveJobWorld,
  type GenerateJob,
  type JobWorld,
} from "./generateRequest";
import { isRejection, sendError, type JsonResponse } from "./httpErrors";
import { RequestLog, requestIdFrom } from "./log";
import { readJsonBody, type HttpRequest } from "./requestBody";

/** What the pipeline is asked to do for a validated request in its world. */
export function pipelineRequest(job: GenerateJob, world: JobWorld): GenerateAndLoadRequest {
  return {
    seed: world.seed,
    users: world.users,
    startDate: world.startDate,
    dateRange: { start: job.dateRange.start, end: job.dateRange.end },
    ...(job.shard ? { shard: { index: job.shard.index, count: job.shard.count } } : {}),
    dryRun: job.dryRun,
    stage: job.stage,
  };
}

/**
 * `generateData`: generates the requested days of the shop, writes them to the lake and replaces
 * their warehouse partitions. The body is validated completely before any backend is opened;
 * the data's world is checked before anything is written (another world, or a day written with
 * another shard count, is a 409 that writes nothing); loads replace whole partitions, so a retry
 * after a failure converges without duplicates. Every call that writes (or fails while it
 * could have) leaves a row in the run record, failed ones with the step that failed; a dry run,
 * and a request refused before it writes anything (a 400, another world's 409), leave none.
 */
export async function generateData(req: HttpRequest, res: JsonResponse): Promise<void> {
  const log = new RequestLog(
    "generateData",
    requestIdFrom(req.headers),
    process.env.GOOGLE_CLOUD_PROJECT,
  );
  const tracker = new RunTracker("generateData", log.requestId);
  try {
    const config = functionConfigFromEnv();
    const job = resolveGenerateJob(await readJsonBody(req), config.generator);
    log.stage("validated", { job, backend: config.backend.kind });
    const run = async (backends: Backends, world: JobWorld) => {
      // One line per pipeline stage (generate, lake, load) as it ends, not one per file.
      let current: string | null = null;
      const result = await generateAndLoad(pipelineRequest(job, world), backends, (progress) => {
        if (progress.stage !== current && current !== null) log.stage(current);
        current = progress.stage;
        tracker.step = progress.stage;
      });
      if (current !== null) log.stage(current);
      return result;
    };
    let world: JobWorld;
    let summary: GenerateAndLoadSummary;
    if (job.dryRun) {
      world = resolveJobWorld(job, config.generator, null, false);
      summary = await run(dryRunBackends(), world);
    } else {
      [world, summary] = await withBackends(config.backend, async (backends) => {
        log.stage("opened_backends", {
          lake: backends.lake.kind,
          warehouse: backends.warehouse.kind,
        });
        tracker.step = "manifest";
        const held = await backends.warehouse.readManifest();
        const jobWorld = resolveJobWorld(
          job,
          config.generator,
          held,
          config.backend.kind === "local",
        );
        try {
          const result = await run(backends, jobWorld);
          tracker.step = "record";
          const failedRecord = await recordRunQuietly(
            backends.warehouse,
            tracker.record({
              status: "succeeded",
              worldId: result.world.worldId,
              days: job.dateRange,
              dataThrough: result.dataThrough,
              rows: result.rows,
            }),
          );
          if (failedRecord) log.stage("record_failed", { error: failedRecord.message }, "WARNING");
          return [jobWorld, result] as const;
        } catch (err) {
          if (!isRejection(err))
            await recordRunQuietly(
              backends.warehouse,
              tracker.record({
                status: "failed",
                days: job.dateRange,
                dataThrough: held?.dataThrough,
                error: err,
              }),
            );
          throw err;
        }
      });
    }
    const seconds = log.elapsed();
    log.stage("done", {
      rows: summary.rows,
      files: summary.files.length,
      loadJobs: summary.loadJobs.length,
      dataThrough: summary.dataThrough,
      stageSeconds: summary.seconds,
      seconds_total: seconds,
    });
    res.status(200).json({
      requestId: log.requestId,
      dateRange: job.dateRange,
      world: {
        worldId: summary.world.worldId,
        seed: world.seed,
        users: world.users,
        startDate: world.startDate,
        from: world.from,
      },
      shard: job.shard,
      stage: job.stage,
      dryRun: job.dryRun,
      rows: summary.rows,
      files: summary.files,
      loadJobs: summary.loadJobs,
      stateAsOf: summary.stateAsOf,
      dataThrough: summary.dataThrough,
      seconds,
      stageSeconds: summary.seconds,
    });
  } catch (err) {
    sendError(res, err, log);
  }
}
