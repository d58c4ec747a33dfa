import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface MonitoringArgs {
  project: string;
  stack: string;
  alertEmail: string;
  /** Cloud Run service names of the functions (gen2 function name = service name). */
  functionServiceNames: pulumi.Input<string>[];
  /** Resource names of the scheduled queries (`projects/.../transferConfigs/<id>`). */
  transferConfigNames: pulumi.Input<string>[];
}

/** A Cloud Logging filter matching any of the values for a field: `field=("a" OR "b")`. */
export function anyOf(field: string, values: readonly string[]): string {
  return `${field}=(${values.map((v) => JSON.stringify(v)).join(" OR ")})`;
}

/**
 * Alerts for the two ways the nightly pipeline fails silently: a function answering with an error
 * (its logs carry severity ERROR, as do 5xx request logs), and a scheduled query run that failed
 * (the Data Transfer Service logs an ERROR for it). Log-match conditions fire on the first
 * occurrence; one notification per hour at most, so a bad night sends one mail, not hundreds.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly channel: gcp.monitoring.NotificationChannel;
  readonly policies: gcp.monitoring.AlertPolicy[];

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
    const functionErrors = pulumi
      .all(args.functionServiceNames)
      .apply((names) =>
        [
          'resource.type="cloud_run_revision"',
          anyOf("resource.labels.service_name", names),
          "severity>=ERROR",
        ].join(" AND "),
      );
    const transferIds = pulumi
      .all(args.transferConfigNames)
      .apply((names) => names.map((n) => n.split("/").pop()!));
    const failedRuns = transferIds.apply((ids) =>
      [
        'resource.type="bigquery_dts_config"',
        anyOf("resource.labels.config_id", ids),
        "severity>=ERROR",
      ].join(" AND "),
    );
    this.policies = [
      new gcp.monitoring.AlertPolicy(
        `${name}-function-errors`,
        {
          ...common,
          displayName: `Function errors (${args.stack})`,
          documentation: {
            content:
              "generateData or refreshRfmSnapshot logged an error. See docs/cloud.md, Operations.",
            mimeType: "text/markdown",
          },
          conditions: [
            {
              displayName: "Function logged an error",
              conditionMatchedLog: { filter: functionErrors },
            },
          ],
        },
        { parent: this },
      ),
    ];
    // With no scheduled queries there is nothing to watch (and `config_id=()` is no filter).
    if (args.transferConfigNames.length > 0) {
      this.policies.push(
        new gcp.monitoring.AlertPolicy(
          `${name}-scheduled-query-failures`,
          {
            ...common,
            displayName: `Scheduled query run failed (${args.stack})`,
            documentation: {
              content:
                "A mart's scheduled query run failed; its mart kept yesterday's data. See docs/cloud.md.",
              mimeType: "text/markdown",
            },
            conditions: [
              {
                displayName: "Scheduled query run failed",
                conditionMatchedLog: { filter: failedRuns },
              },
            ],
          },
          { parent: this },
        ),
      );
    }
    this.registerOutputs({ channel: this.channel.name });
  }
}
