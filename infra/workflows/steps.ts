/**
 * Building blocks of the Cloud Workflows sources (JSON, which Workflows accepts as well as YAML:
 * https://cloud.google.com/workflows/docs/reference/syntax). Each function returns plain data;
 * the nightly and backfill workflows compose them, and tests parse the result.
 */
import type { DatasetName } from "../../functions/src/sql/render";

/** A workflow step: `{ <name>: <body> }`. */
export type Step = Record<string, unknown>;

/** A Workflows expression, `${...}` (kept out of TS template literals on purpose). */
export function expr(expression: string): string {
  return "$" + "{" + expression + "}";
}

/** Workflows step names: letters, digits and underscores. */
export function stepName(...parts: string[]): string {
  const name = parts.join("_").replace(/[^A-Za-z0-9_]/g, "_");
  if (!/^[A-Za-z_]\w*$/.test(name)) throw new Error(`Invalid workflow step name "${name}"`);
  return name;
}

/** `YYYY-MM-DD` of `day` plus `offset` days (a Workflows expression over a date variable). */
export function dayPlus(dayExpression: string, offsetExpression: string): string {
  return `text.substring(time.format(time.parse(${dayExpression} + "T00:00:00Z") + (${offsetExpression}) * 86400), 0, 10)`;
}

/** Whole days from `a` to `b` (Workflows expression over two date strings). */
export function daysFrom(a: string, b: string): string {
  return `int((time.parse(${b} + "T00:00:00Z") - time.parse(${a} + "T00:00:00Z")) / 86400)`;
}

/** Where the workflow runs its jobs, and the limits it holds them to. */
export interface JobContext {
  readonly project: string;
  /** BigQuery location of the datasets (jobs must run there). */
  readonly location: string;
  readonly datasets: Readonly<Record<DatasetName, string>>;
  /** Bytes a single check or mart query may bill; larger ones fail before running. */
  readonly maximumBytesBilled: number;
}

/** A named STRING or DATE query parameter in the REST form. */
export function queryParameter(name: string, type: "STRING" | "DATE", value: string) {
  return { name, parameterType: { type }, parameterValue: { value } };
}

/** A query job (jobs.insert waits for it: https://cloud.google.com/workflows/docs/poll-bigquery-job). */
export function queryJobStep(
  name: string,
  ctx: JobContext,
  query: string,
  parameters: readonly unknown[],
  result: string,
  timeoutSeconds = 1800,
): Step {
  return {
    [name]: {
      call: "googleapis.bigquery.v2.jobs.insert",
      args: {
        projectId: ctx.project,
        body: {
          jobReference: { projectId: ctx.project, location: ctx.location },
          configuration: {
            query: {
              query,
              useLegacySql: false,
              maximumBytesBilled: String(ctx.maximumBytesBilled),
              ...(parameters.length > 0
                ? { parameterMode: "NAMED", queryParameters: parameters }
                : {}),
            },
          },
        },
        connector_params: { timeout: timeoutSeconds },
      },
      result,
    },
  };
}

/** Raises the job's error if BigQuery finished it with one (a failed job is still DONE). */
export function failedJobStep(name: string, job: string): Step {
  return {
    [name]: {
      switch: [
        {
          condition: expr(`"errorResult" in ${job}.status`),
          steps: [{ [`${name}_raise`]: { raise: expr(`${job}.status.errorResult`) } }],
        },
      ],
    },
  };
}

/** Records which step is running, for the run record's `failed_step`. */
export function markStep(name: string, step: string): Step {
  return { [name]: { assign: [{ step }] } };
}

/**
 * A POST to one of the private functions with an OIDC token of the workflow's account (its
 * audience defaults to the URL). Retried on 429/5xx: each function the workflows call replaces
 * what it owns, so a repeat changes nothing.
 */
export function functionCallStep(
  name: string,
  url: string,
  body: Record<string, unknown>,
  result: string,
): Step {
  return {
    [name]: {
      call: "http.post",
      args: { url, auth: { type: "OIDC" }, body, timeout: 1800 },
      retry: expr("http.default_retry"),
      result,
    },
  };
}

/**
 * The run record (`snapshots.pipeline_runs`): one row for the whole execution. Parameters are
 * strings (an empty one is NULL) so a single typed path serves every outcome; the world and
 * `data_through` are read from the manifest as the run leaves it.
 */
export function recordRunSubworkflow(ctx: JobContext): Record<string, unknown> {
  // Dataset-qualified names resolve in the job's project (projectId below).
  const table = (dataset: DatasetName, name: string) => `${ctx.datasets[dataset]}.${name}`;
  const manifest = table("raw", "world_manifest");
  const query = [
    `insert into ${table("snapshots", "pipeline_runs")} (`,
    "    run_id, run_kind, world_id, days_start, days_end, data_through,",
    "    started_at, finished_at, status, failed_step, error, rows_json",
    ")",
    "select",
    "    @run_id,",
    "    @run_kind,",
    `    (select any_value(world_id) from ${manifest}),`,
    "    safe.parse_date('%F', nullif(@days_start, '')),",
    "    safe.parse_date('%F', nullif(@days_end, '')),",
    `    (select any_value(data_through) from ${manifest}),`,
    "    timestamp(@started_at),",
    "    current_timestamp(),",
    "    @status,",
    "    nullif(@failed_step, ''),",
    "    nullif(@error, ''),",
    "    cast(null as string)",
  ].join("\n");
  const params = [
    "run_id",
    "run_kind",
    "days_start",
    "days_end",
    "started_at",
    "status",
    "failed_step",
    "error",
  ];
  return {
    params,
    steps: [
      queryJobStep(
        "insert_run_record",
        ctx,
        query,
        params.map((p) => queryParameter(p, "STRING", expr(p))),
        "record_job",
      ),
      failedJobStep("run_record_failed", "record_job"),
      { done: { return: expr("record_job.jobReference.jobId") } },
    ],
  };
}

/**
 * The JSON source of a workflow definition, as `gcp.workflows.Workflow.sourceContents`. Compact:
 * Workflows caps a source at 128 KB and the nightly one is ~53 KB so (~93 KB indented), which
 * leaves room for more checks; the readable definition is the TypeScript that generates it.
 */
export function workflowSource(definition: Record<string, unknown>): string {
  return JSON.stringify(definition) + "\n";
}

/** Workflows' limit on a source (https://cloud.google.com/workflows/quotas). */
export const WORKFLOW_SOURCE_LIMIT_BYTES = 128 * 1024;
