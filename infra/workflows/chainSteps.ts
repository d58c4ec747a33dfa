/**
 * The workflow steps of each kind of chain step (`functions/src/chain/nightlyChain.ts`): the
 * load, a data-quality check, a mart's scheduled query, the RFM snapshot, the CLV fit, the
 * significance tests. Each names its chain step in `step` before it runs, so a failure is
 * recorded as `generate`, `check:<name>`, `mart:<name>`, `snapshot`, `clv` or `stats`, and each
 * takes the data day as one expression, the same for all.
 */
import { renderDatasets } from "../../functions/src/sql/render";
import {
  expr,
  failedJobStep,
  functionCallStep,
  markStep,
  queryJobStep,
  queryParameter,
  stepName,
  type JobContext,
  type Step,
} from "./steps";

/** The failed-step label a chain step is recorded under. */
export function failedStepLabel(
  kind: "generate" | "check" | "mart" | "snapshot" | "clv" | "stats",
  name: string,
) {
  return kind === "check" || kind === "mart" ? `${kind}:${name}` : kind;
}

/**
 * A check's SQL (a `select` of violating rows) wrapped so the job itself fails on a violation,
 * naming the check, the data day and the count: the workflow then stops on the first violating
 * check, and the same job run by hand in the console says the same thing.
 */
export function checkJobSql(name: string, checkSql: string): string {
  const body = checkSql.trim().replace(/;\s*$/, "");
  return [
    "select",
    "    if(",
    "        count(*) = 0,",
    "        'ok',",
    "        error(concat(",
    `            'data-quality check ${name} failed for data day ',`,
    "            cast(@run_date as string), ': ',",
    "            cast(count(*) as string), ' violating rows'",
    "        ))",
    "    ) as verdict",
    `from (\n${body}\n) as violations`,
  ].join("\n");
}

/**
 * SQL as compact as BigQuery reads it the same: comments dropped and whitespace runs collapsed,
 * outside string literals only (the same tokens `mapOutsideCommentsAndStrings` tells apart).
 * Workflows caps a source at 128 KB and the checks' SQL is most of it; the readable text stays in
 * `sql/checks` and the contract.
 */
export function compactSql(sql: string): string {
  const comment = /^(--|#|\/\*)/;
  const token = /--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g;
  let out = "";
  let last = 0;
  for (const m of sql.matchAll(token)) {
    out += sql.slice(last, m.index).replace(/\s+/g, " ");
    out += comment.test(m[0]) ? " " : m[0];
    last = m.index + m[0].length;
  }
  out += sql.slice(last).replace(/\s+/g, " ");
  return out.trim();
}

/** One data-quality check for the data day, run by the `run_check` subworkflow. */
export function checkSteps(
  check: { name: string; sql: string },
  ctx: JobContext,
  day: string,
): Step {
  const id = stepName("check", check.name);
  const sql = compactSql(checkJobSql(check.name, renderDatasets(check.sql, ctx.datasets)));
  return {
    [id]: {
      steps: [
        markStep(`${id}_mark`, failedStepLabel("check", check.name)),
        { [`${id}_run`]: { call: "run_check", args: { sql, day } } },
      ],
    },
  };
}

/** `run_check(sql, day)`: the check's query job, failing the step if the job failed. */
export function runCheckSubworkflow(ctx: JobContext): Record<string, unknown> {
  return {
    params: ["sql", "day"],
    steps: [
      queryJobStep(
        "check_query",
        ctx,
        expr("sql"),
        [queryParameter("run_date", "DATE", expr("day"))],
        "check_job",
      ),
      failedJobStep("check_failed", "check_job"),
      { check_passed: { return: expr("check_job.jobReference.jobId") } },
    ],
  };
}

/** One mart's scheduled query for the data day, run by the `run_mart` subworkflow. */
export function martSteps(
  mart: { name: string; configName: string; usesRunDate: boolean },
  day: string,
): Step {
  const id = stepName("mart", mart.name);
  return {
    [id]: {
      steps: [
        markStep(`${id}_mark`, failedStepLabel("mart", mart.name)),
        {
          [`${id}_run`]: {
            call: "run_mart",
            args: {
              name: mart.name,
              config: mart.configName,
              day,
              bind_run_date: mart.usesRunDate,
            },
          },
        },
      ],
    },
  };
}

/**
 * `run_mart(name, config, day, bind_run_date)`: refreshes a mart by its scheduled query. The
 * query is read from the transfer config (one definition, visible and runnable on BigQuery's
 * scheduled-queries page), dry-run with the day's parameters and refused if it would bill more
 * than the stack allows (a scheduled query takes no byte limit of its own), then run with
 * `startManualRuns`, which waits for the run
 * (https://cloud.google.com/workflows/docs/reference/googleapis/bigquerydatatransfer/v1/projects.transferConfigs/startManualRuns).
 * The run's `@run_date` is the date of `requestedRunTime`: noon UTC of the data day. A run that
 * ended in any state but SUCCEEDED fails the step.
 */
export function runMartSubworkflow(ctx: JobContext): Record<string, unknown> {
  const dryRun = (withRunDate: boolean) => ({
    call: "googleapis.bigquery.v2.jobs.query",
    args: {
      projectId: ctx.project,
      body: {
        query: expr("transfer_config.params.query"),
        useLegacySql: false,
        dryRun: true,
        location: ctx.location,
        ...(withRunDate
          ? {
              parameterMode: "NAMED",
              queryParameters: [queryParameter("run_date", "DATE", expr("day"))],
            }
          : {}),
      },
    },
    result: "estimate",
  });
  return {
    params: ["name", "config", "day", "bind_run_date"],
    steps: [
      {
        mart_config: {
          call: "googleapis.bigquerydatatransfer.v1.projects.locations.transferConfigs.get",
          args: { name: expr("config") },
          result: "transfer_config",
        },
      },
      {
        mart_estimate: {
          switch: [
            { condition: expr("bind_run_date"), steps: [{ mart_estimate_dated: dryRun(true) }] },
            { condition: true, steps: [{ mart_estimate_plain: dryRun(false) }] },
          ],
        },
      },
      {
        mart_within_budget: {
          switch: [
            {
              condition: expr(`int(estimate.totalBytesProcessed) > ${ctx.maximumBytesBilled}`),
              steps: [
                {
                  mart_over_budget: {
                    raise: expr(
                      `"mart " + name + " would scan " + estimate.totalBytesProcessed + " bytes, over maximumBytesBilled ${ctx.maximumBytesBilled}"`,
                    ),
                  },
                },
              ],
            },
          ],
        },
      },
      {
        mart_start: {
          call: "googleapis.bigquerydatatransfer.v1.projects.locations.transferConfigs.startManualRuns",
          args: {
            parent: expr("config"),
            body: { requestedRunTime: expr(`day + "T12:00:00Z"`) },
            connector_params: { timeout: 3600 },
          },
          result: "started",
        },
      },
      {
        mart_outcome: {
          call: "googleapis.bigquerydatatransfer.v1.projects.locations.transferConfigs.runs.get",
          args: { name: expr("started.runs[0].name") },
          result: "transfer_run",
        },
      },
      {
        mart_succeeded: {
          switch: [
            {
              condition: expr(`transfer_run.state != "SUCCEEDED"`),
              steps: [
                {
                  mart_run_failed: {
                    raise: expr(
                      `"scheduled query of " + name + " ended " + transfer_run.state + ": " + json.encode_to_string(default(map.get(transfer_run, "errorStatus"), {}))`,
                    ),
                  },
                },
              ],
            },
          ],
        },
      },
      { mart_done: { return: expr("transfer_run.name") } },
    ],
  };
}

/** `generateData` for the data day (load: lake files and raw partitions). */
export function generateSteps(url: string, day: string): Step {
  return {
    generate: {
      steps: [
        markStep("generate_mark", failedStepLabel("generate", "generateData")),
        functionCallStep("generate_call", url, { date: day }, "generated"),
      ],
    },
  };
}

/** `refreshRfmSnapshot` for the data day (segment map, daily snapshot, segment history). */
export function snapshotSteps(url: string, day: string, suffix = ""): Step {
  const id = stepName("snapshot", ...(suffix ? [suffix] : []));
  return {
    [id]: {
      steps: [
        markStep(`${id}_mark`, failedStepLabel("snapshot", "refreshRfmSnapshot")),
        functionCallStep(`${id}_call`, url, { snapshotDate: day }, "snapshot_result"),
      ],
    },
  };
}

/** `refreshStatTests` for the data day: every significance test, into `marts.dm_stat_tests`. */
export function statsSteps(url: string, day: string): Step {
  return {
    stats: {
      steps: [
        markStep("stats_mark", failedStepLabel("stats", "refreshStatTests")),
        functionCallStep("stats_call", url, { runDate: day }, "stats_result"),
      ],
    },
  };
}

/**
 * `refreshClvSnapshot` for the data day: the BG/NBD and Gamma-Gamma fit and the day's
 * predictions (`snapshots.clv_daily`, `snapshots.clv_fit`).
 */
export function clvSteps(url: string, day: string, suffix = ""): Step {
  const id = stepName("clv", ...(suffix ? [suffix] : []));
  return {
    [id]: {
      steps: [
        markStep(`${id}_mark`, failedStepLabel("clv", "refreshClvSnapshot")),
        functionCallStep(`${id}_call`, url, { snapshotDate: day }, "clv_result"),
      ],
    },
  };
}

/** The inside of a `${...}` expression (so a day given as `${day}` can be combined). */
export function unwrap(expression: string): string {
  const m = /^\$\{(.*)\}$/s.exec(expression);
  if (!m) throw new Error(`Not a workflow expression: ${expression}`);
  return m[1]!;
}
