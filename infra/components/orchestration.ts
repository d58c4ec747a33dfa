import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { DatasetName } from "../../functions/src/sql/render";
import { cronAt } from "../martSchedule";
import { serviceAccountId, stackResourceName } from "../names";
import type { ChainFunctionName } from "./functions";
import { runRecordWriter } from "./warehouse";

/** What a workflow's source needs that only exists once the stack's resources do. */
export interface WorkflowInputs {
  readonly martConfigNames: Record<string, string>;
  readonly functionUrls: Record<ChainFunctionName, string>;
}

export const WORKFLOW_NAMES = ["nightly", "backfill"] as const;
export type WorkflowName = (typeof WORKFLOW_NAMES)[number];

export interface OrchestrationArgs {
  project: string;
  region: string;
  stack: string;
  labels: Record<string, string>;
  /** Workflows may be deleted (previews, or a stack being torn down). */
  destroyable: boolean;
  datasets: Record<DatasetName, gcp.bigquery.Dataset>;
  /** `snapshots.pipeline_runs`, where each execution writes its run record. */
  runRecordTable: gcp.bigquery.Table;
  /** The functions the chain calls (not `loadOrders`, which an upload starts). */
  functions: Record<ChainFunctionName, gcp.cloudfunctionsv2.Function>;
  /** The marts' scheduled queries, by mart. */
  transferConfigs: Record<string, gcp.bigquery.DataTransferConfig>;
  /** `HH:MM` UTC when Cloud Scheduler starts the nightly workflow. */
  runTime: string;
  /** The JSON source of each workflow, from the resources' names. */
  sources: Record<WorkflowName, (inputs: WorkflowInputs) => string>;
  /** `projects/<p>/roles/analyticsTransferRunner` (made by the bootstrap). */
  transferRunnerRole: string;
}

/**
 * The nightly chain as one orchestrated run: the nightly and backfill workflows, the account they
 * run as, and the Cloud Scheduler job that starts the nightly one. The workflows' account gets
 * what the chain needs and nothing more:
 * - `run.invoker` on the chain functions' Cloud Run services (gen2 invocation lives there);
 * - read on `raw` (the checks, the manifest) and on `marts` and `snapshots` (a mart's dry run
 *   reads what the mart reads), write on the run-record table only;
 * - `bigquery.jobUser` and the transfer-runner custom role on the project: neither jobs nor
 *   transfer runs can be granted per resource, and `bigquery.transfers.update` (needed by
 *   `startManualRuns`) is in no predefined role narrower than `bigquery.admin`.
 * Cloud Scheduler starts executions as a separate account holding only `workflows.invoker`.
 */
export class Orchestration extends pulumi.ComponentResource {
  readonly account: gcp.serviceaccount.Account;
  readonly trigger: gcp.serviceaccount.Account;
  readonly workflows: Record<WorkflowName, gcp.workflows.Workflow>;
  readonly job: gcp.cloudscheduler.Job;

  constructor(name: string, args: OrchestrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:Orchestration", name, {}, opts);
    const child = { parent: this };
    this.account = new gcp.serviceaccount.Account(
      `${name}-sa`,
      {
        project: args.project,
        accountId: serviceAccountId("orchestrator", args.stack),
        displayName: `Nightly and backfill workflows (${args.stack})`,
      },
      child,
    );
    const member = pulumi.interpolate`serviceAccount:${this.account.email}`;
    const grants: pulumi.Resource[] = [];
    for (const logical of ["raw", "marts", "snapshots"] as const) {
      grants.push(
        new gcp.bigquery.DatasetIamMember(
          `${name}-read-${logical}`,
          {
            project: args.project,
            datasetId: args.datasets[logical].datasetId,
            role: "roles/bigquery.dataViewer",
            member,
          },
          child,
        ),
      );
    }
    grants.push(
      runRecordWriter(
        `${name}-run-record`,
        { project: args.project, table: args.runRecordTable, member },
        child,
      ),
    );
    for (const role of ["roles/bigquery.jobUser", args.transferRunnerRole]) {
      grants.push(
        new gcp.projects.IAMMember(
          `${name}-${role.split("/").pop()!.replace(/\./g, "-")}`,
          { project: args.project, role, member },
          child,
        ),
      );
    }
    for (const [fnName, fn] of Object.entries(args.functions)) {
      grants.push(
        new gcp.cloudrunv2.ServiceIamMember(
          `${name}-invoke-${fnName}`,
          {
            project: args.project,
            location: args.region,
            name: fn.name,
            role: "roles/run.invoker",
            member,
          },
          child,
        ),
      );
    }

    const configNames = pulumi.all(
      Object.fromEntries(Object.entries(args.transferConfigs).map(([m, c]) => [m, c.name])),
    );
    const urls = pulumi.all(
      Object.fromEntries(Object.entries(args.functions).map(([f, fn]) => [f, fn.url])),
    );
    this.workflows = {} as Record<WorkflowName, gcp.workflows.Workflow>;
    for (const workflow of WORKFLOW_NAMES) {
      this.workflows[workflow] = new gcp.workflows.Workflow(
        `${name}-${workflow}`,
        {
          project: args.project,
          region: args.region,
          name: stackResourceName(workflow, args.stack),
          description: `The ${workflow} run of the analytics chain (${args.stack}).`,
          serviceAccount: this.account.id,
          callLogLevel: "LOG_ERRORS_ONLY",
          deletionProtection: !args.destroyable,
          labels: args.labels,
          sourceContents: pulumi.all([configNames, urls]).apply(([martConfigNames, functionUrls]) =>
            args.sources[workflow]({
              martConfigNames,
              functionUrls: functionUrls as Record<ChainFunctionName, string>,
            }),
          ),
        },
        { parent: this, dependsOn: grants },
      );
    }

    this.trigger = new gcp.serviceaccount.Account(
      `${name}-trigger-sa`,
      {
        project: args.project,
        accountId: serviceAccountId("wf-trigger", args.stack),
        displayName: `Starts the nightly workflow (${args.stack})`,
      },
      child,
    );
    const startRight = new gcp.projects.IAMMember(
      `${name}-trigger-invoker`,
      {
        project: args.project,
        role: "roles/workflows.invoker",
        member: pulumi.interpolate`serviceAccount:${this.trigger.email}`,
      },
      child,
    );
    const nightly = this.workflows.nightly;
    this.job = new gcp.cloudscheduler.Job(
      `${name}-nightly-schedule`,
      {
        project: args.project,
        region: args.region,
        name: stackResourceName("nightly", args.stack),
        description: "Starts the nightly workflow for yesterday (UTC) and any missed day.",
        schedule: cronAt(args.runTime),
        timeZone: "Etc/UTC",
        // Creating an execution takes seconds; the workflow itself runs on for hours if needed.
        attemptDeadline: "60s",
        retryConfig: { retryCount: 3, minBackoffDuration: "60s" },
        httpTarget: {
          httpMethod: "POST",
          uri: pulumi.interpolate`https://workflowexecutions.googleapis.com/v1/${nightly.id}/executions`,
          headers: { "Content-Type": "application/json" },
          body: Buffer.from(JSON.stringify({ argument: "{}" })).toString("base64"),
          oauthToken: {
            serviceAccountEmail: this.trigger.email,
            scope: "https://www.googleapis.com/auth/cloud-platform",
          },
        },
      },
      { parent: this, dependsOn: [startRight] },
    );
    this.registerOutputs({
      account: this.account.email,
      workflows: Object.fromEntries(WORKFLOW_NAMES.map((w) => [w, this.workflows[w].name])),
    });
  }
}
