import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/**
 * Every Google API the stack calls. Enabled by the program so an empty project needs no console
 * clicks; `cloudresourcemanager` and `iam` come first in practice because IAM bindings need them.
 */
export const REQUIRED_SERVICES = [
  "cloudresourcemanager.googleapis.com",
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "storage.googleapis.com",
  "bigquery.googleapis.com",
  "bigquerydatatransfer.googleapis.com",
  "cloudfunctions.googleapis.com",
  "run.googleapis.com",
  "cloudbuild.googleapis.com",
  "artifactregistry.googleapis.com",
  "cloudscheduler.googleapis.com",
  "workflows.googleapis.com",
  "workflowexecutions.googleapis.com",
  "pubsub.googleapis.com",
  "billingbudgets.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
] as const;

export type RequiredService = (typeof REQUIRED_SERVICES)[number];

export interface ProjectServicesArgs {
  project: string;
}

/**
 * Enables the APIs and creates the BigQuery Data Transfer service agent up front. The agent is
 * created lazily by Google on first use otherwise, and a scheduled query's IAM grant to it then
 * races its creation: the classic first-deploy failure of public stacks.
 *
 * Services are never disabled on destroy: preview stacks share the project with dev, and
 * destroying a PR's stack must not switch off dev's APIs.
 */
export class ProjectServices extends pulumi.ComponentResource {
  readonly services: Record<RequiredService, gcp.projects.Service>;
  /** `service-<number>@gcp-sa-bigquerydatatransfer.iam.gserviceaccount.com`. */
  readonly dataTransferAgent: gcp.projects.ServiceIdentity;
  /**
   * `service-<number>@gcp-sa-pubsub.iam.gserviceaccount.com`: it dead-letters the orders
   * files that cannot be loaded (OrdersIntake), so it is created up front for the same reason.
   */
  readonly pubsubAgent: gcp.projects.ServiceIdentity;
  /** Depend on these before creating anything that calls the APIs. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: ProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:ProjectServices", name, {}, opts);
    const services = {} as Record<RequiredService, gcp.projects.Service>;
    for (const service of REQUIRED_SERVICES) {
      services[service] = new gcp.projects.Service(
        `${name}-${service.split(".")[0]}`,
        {
          project: args.project,
          service,
          disableOnDestroy: false,
          disableDependentServices: false,
        },
        { parent: this },
      );
    }
    this.services = services;
    this.dataTransferAgent = new gcp.projects.ServiceIdentity(
      `${name}-dts-agent`,
      { project: args.project, service: "bigquerydatatransfer.googleapis.com" },
      { parent: this, dependsOn: [services["bigquerydatatransfer.googleapis.com"]] },
    );
    this.pubsubAgent = new gcp.projects.ServiceIdentity(
      `${name}-pubsub-agent`,
      { project: args.project, service: "pubsub.googleapis.com" },
      { parent: this, dependsOn: [services["pubsub.googleapis.com"]] },
    );
    this.ready = [...Object.values(services), this.dataTransferAgent, this.pubsubAgent];
    this.registerOutputs({ dataTransferAgentEmail: this.dataTransferAgent.email });
  }
}
