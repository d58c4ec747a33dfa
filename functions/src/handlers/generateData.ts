import { FUNCTION_ENV, functionConfigFromEnv } from "../backends/fromEnv";
import { generateAndLoad, type GenerateAndLoadRequest } from "../pipeline/generateAndLoad";
import { dryRunBackends, withBackends, type Backends } from "./backends";
import { resolveGenerateJob, type GenerateJob } from "./generateRequest";
import { sendError, type JsonResponse } from "./httpErrors";
import { RequestLog, requestIdFrom } from "./log";
import { jsonBody, type HttpRequest } from "./requestBody";

/** What the pipeline is asked to do for a validated request. */
export function pipelineRequest(job: GenerateJob): GenerateAndLoadRequest {
  return {
    seed: job.seed,
    users: job.users,
    startDate: job.worldStart,
    endDate: job.worldEnd,
    dateRange: { start: job.dateRange.start, end: job.dateRange.end },
    ...(job.shard ? { shard: { index: job.shard.index, count: job.shard.count } } : {}),
    dryRun: job.dryRun,
  };
}

/**
 * `generateData`: generates the requested days of the shop, writes them to the lake and replaces
 * their warehouse partitions. Input is validated completely before any backend is opened, so a
 * rejected request touches nothing; loads replace whole partitions, so a retry after a failure
 * converges without duplicates.
 */
export async function generateData(req: HttpRequest, res: JsonResponse): Promise<void> {
  const log = new RequestLog(
    "generateData",
    requestIdFrom(req.headers),
    process.env.GOOGLE_CLOUD_PROJECT,
  );
  try {
    const config = functionConfigFromEnv();
    const job = resolveGenerateJob(jsonBody(req), config.generator);
    if (config.generator.horizonEnd === null) {
      // Signups spread over the whole world, so a world that ends on each request's last day
      // makes consecutive daily runs slices of different worlds.
      log.stage(
        "validated",
        {
          job,
          backend: config.backend.kind,
          warning: `${FUNCTION_ENV.generatorHorizonEnd} is unset: this world ends on ${job.worldEnd}; set it so daily runs slice one world`,
        },
        "WARNING",
      );
    } else {
      log.stage("validated", { job, backend: config.backend.kind });
    }
    const run = async (backends: Backends) => {
      log.stage("opened_backends", {
        lake: backends.lake.kind,
        warehouse: backends.warehouse.kind,
      });
      // One line per pipeline stage (generate, lake, load) as it ends, not one per file.
      let current: string | null = null;
      const result = await generateAndLoad(pipelineRequest(job), backends, (progress) => {
        if (progress.stage !== current && current !== null) log.stage(current);
        current = progress.stage;
      });
      if (current !== null) log.stage(current);
      return result;
    };
    const summary = job.dryRun
      ? await run(dryRunBackends())
      : await withBackends(config.backend, run);
    const seconds = log.elapsed();
    log.stage("done", {
      rows: summary.rows,
      files: summary.files.length,
      loadJobs: summary.loadJobs.length,
      stageSeconds: summary.seconds,
      seconds_total: seconds,
    });
    res.status(200).json({
      requestId: log.requestId,
      dateRange: job.dateRange,
      seed: job.seed,
      users: job.users,
      shard: job.shard,
      dryRun: job.dryRun,
      rows: summary.rows,
      files: summary.files,
      loadJobs: summary.loadJobs,
      seconds,
      stageSeconds: summary.seconds,
    });
  } catch (err) {
    sendError(res, err, log);
  }
}
