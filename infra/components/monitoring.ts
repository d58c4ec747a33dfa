import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { FUNCTION_NAMES } from "../../functions/src/functionNames";

export interface MonitoringArgs {
  project: string;
  stack: string;
  alertEmail: string;
  /** Cloud Run service names of the functions (gen2 function name = service name). */
  functionServiceNames: pulumi.Input<string>[];
  /** Resource names of the scheduled queries (`projects/.../transferConfigs/<id>`). */
  transferConfigNames: pulumi.Input<string>[];
  /** Short names of the workflows (`nightly-dev`, `backfill-dev`). */
  workflowNames: pulumi.Input<string>[];
  /** Short names of the Cloud Scheduler jobs (`nightly-dev`). */
  schedulerJobNames: pulumi.Input<string>[];
  /** The raw dataset id and the table whose daily partitions must keep arriving. */
  rawDatasetId: string;
  freshnessTable: string;
  /** Hours without a new partition in that table before the missing-day alert fires. */
  missingDayHours: number;
}

/** A Cloud Logging filter matching any of the values for a field: `field=("a" OR "b")`. */
export function anyOf(field: string, values: readonly string[]): string {
  return `${field}=(${values.map((v) => JSON.stringify(v)).join(" OR ")})`;
}

/** The log-based metric's name: letters, digits and underscores, so PromQL can name it as is. */
export function loadMetricName(stack: string, table: string): string {
  return `${table}_loaded_${stack.toLowerCase().replace(/[^a-z0-9]/g, "_")}`;
}

/**
 * Writes into the freshness table, from BigQuery's audit log (Data Access logs for BigQuery are on
 * by default): a load job or DML statement that changed its data logs `tableDataChange`
 * (https://cloud.google.com/bigquery/docs/reference/auditlogs).
 */
export function tableWriteFilter(project: string, dataset: string, table: string): string {
  return [
    'resource.type="bigquery_dataset"',
    `resource.labels.dataset_id="${dataset}"`,
    `protoPayload.resourceName="projects/${project}/datasets/${dataset}/tables/${table}"`,
    "protoPayload.metadata.tableDataChange:*",
  ].join(" AND ");
}

/**
 * Alerts for every way the nightly chain can fail, each on the resource that fails:
 * - a workflow execution that FAILED (Workflows' `finished_execution_count` metric), whichever
 *   step failed: the run record then names it;
 * - a scheduled-query run that failed (the Data Transfer Service logs an ERROR), also when it
 *   was started by hand;
 * - an error logged by either function;
 * - a Cloud Scheduler attempt that did not start the workflow (a 403, a deleted workflow);
 * - a missing day: no write into `raw.events` for `missingDayHours`, whatever the cause
 *   (scheduler paused, workflow stuck, project out of quota).
 * One notification per hour at most, so a bad night sends one mail, not hundreds.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly channel: gcp.monitoring.NotificationChannel;
  readonly policies: Record<string, gcp.monitoring.AlertPolicy>;
  readonly loadMetric: gcp.logging.Metric;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:Monitoring", name, {}, opts);
    this.channel = new gcp.monitoring.NotificationChannel(
      `${name}-email`,
      {
        project: args.project,
        displayName: `ecommerce-analytics alerts (${args.stack})`,
        type: "email",
        labels: { email_address: args.alertEmail },
      },
      { parent: this },
    );
    const common = {
      project: args.project,
      combiner: "OR",
      notificationChannels: [this.channel.name],
      alertStrategy: { notificationRateLimit: { period: "3600s" }, autoClose: "86400s" },
    };
    const logFilter = (resourceType: string, label: string, values: pulumi.Input<string>[]) =>
      pulumi
        .all(values)
        .apply((v) =>
          [`resource.type="${resourceType}"`, anyOf(label, v), "severity>=ERROR"].join(" AND "),
        );
    const policy = (
      key: string,
      displayName: string,
      meaning: string,
      condition: Record<string, unknown>,
    ) =>
      new gcp.monitoring.AlertPolicy(
        `${name}-${key}`,
        {
          ...common,
          displayName: `${displayName} (${args.stack})`,
          documentation: {
            content: `${meaning} See docs/cloud.md, "What each alert means".`,
            mimeType: "text/markdown",
          },
          conditions: [{ displayName, ...condition }],
        },
        { parent: this },
      );

    this.policies = {};
    this.policies["workflow-failures"] = policy(
      "workflow-failures",
      "Workflow execution failed",
      "A nightly or backfill execution failed; snapshots.pipeline_runs names the failed step and the previous complete day stays readable.",
      {
        conditionThreshold: {
          filter: pulumi
            .all(args.workflowNames)
            .apply((names) =>
              [
                'resource.type="workflows.googleapis.com/Workflow"',
                'metric.type="workflows.googleapis.com/finished_execution_count"',
                'metric.labels.status="FAILED"',
                anyOf("resource.labels.workflow_id", names),
              ].join(" AND "),
            ),
          comparison: "COMPARISON_GT",
          thresholdValue: 0,
          duration: "0s",
          aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_SUM" }],
        },
      },
    );
    this.policies["function-errors"] = policy(
      "function-errors",
      "Function logged an error",
      `A function (${FUNCTION_NAMES.join(", ")}) logged an error (a 4xx refusal or a crash).`,
      {
        conditionMatchedLog: {
          filter: logFilter(
            "cloud_run_revision",
            "resource.labels.service_name",
            args.functionServiceNames,
          ),
        },
      },
    );
    this.policies["scheduler-failures"] = policy(
      "scheduler-failures",
      "Scheduler could not start the nightly workflow",
      "Cloud Scheduler's attempt to start the nightly workflow failed (permission, missing workflow); nothing ran that night.",
      {
        conditionMatchedLog: {
          filter: logFilter(
            "cloud_scheduler_job",
            "resource.labels.job_id",
            args.schedulerJobNames,
          ),
        },
      },
    );
    // With no scheduled queries there is nothing to watch (and `config_id=()` is no filter).
    if (args.transferConfigNames.length > 0) {
      const ids = pulumi
        .all(args.transferConfigNames)
        .apply((names) => names.map((n) => n.split("/").pop()!));
      this.policies["scheduled-query-failures"] = policy(
        "scheduled-query-failures",
        "Scheduled query run failed",
        "A mart's scheduled query run failed; the mart kept its previous content.",
        {
          conditionMatchedLog: {
            filter: ids.apply((v) =>
              [
                'resource.type="bigquery_dts_config"',
                anyOf("resource.labels.config_id", v),
                "severity>=ERROR",
              ].join(" AND "),
            ),
          },
        },
      );
    }

    const metric = loadMetricName(args.stack, args.freshnessTable);
    this.loadMetric = new gcp.logging.Metric(
      `${name}-${args.freshnessTable}-loaded`,
      {
        project: args.project,
        name: metric,
        description: `Writes into ${args.rawDatasetId}.${args.freshnessTable} (BigQuery audit log).`,
        filter: tableWriteFilter(args.project, args.rawDatasetId, args.freshnessTable),
        metricDescriptor: { metricKind: "DELTA", valueType: "INT64", unit: "1" },
      },
      { parent: this },
    );
    this.policies["missing-day"] = policy(
      "missing-day",
      `No new ${args.freshnessTable} partition for ${args.missingDayHours} hours`,
      `Nothing wrote ${args.rawDatasetId}.${args.freshnessTable} for ${args.missingDayHours} hours: a day is missing, whatever the cause.`,
      {
        conditionPrometheusQueryLanguage: {
          // PromQL names a log-based metric `logging_googleapis_com:user_<name>`.
          query: this.loadMetric.name.apply(
            (m) => `absent_over_time(logging_googleapis_com:user_${m}[${args.missingDayHours}h])`,
          ),
          duration: "0s",
          evaluationInterval: "300s",
        },
      },
    );
    this.registerOutputs({ channel: this.channel.name });
  }
}
