/**
 * What each deployer account (one per deploy environment, see `deployEnvironments.ts`) may do
 * to `pulumi up` and `pulumi destroy` this program, each grant with its reason and, where IAM can
 * narrow it, a condition. Defined once: `scripts/bootstrap` grants exactly this list, the program
 * tests check that every resource type the program registers is covered by a role here and that
 * every project-level role the program grants is one `PROJECT_GRANTABLE_ROLES` allows.
 *
 * No deployer may make itself (or anyone) an owner:
 * - `resourcemanager.projectIamAdmin` is held only under a condition that lets it add or remove
 *   bindings of `PROJECT_GRANTABLE_ROLES` and nothing else
 *   (https://cloud.google.com/iam/docs/setting-limits-on-granting-roles). The alternative weighed
 *   was no project IAM at all, with the bootstrap granting `bigquery.jobUser` to every runtime
 *   account; but those accounts are created per stack by the program, so the bootstrap would have
 *   to run again for each preview. The roles in the list read no data on their own.
 * - `iam.serviceAccountUser` and `iam.serviceAccountAdmin` are limited by name to the
 *   environment's own accounts, so a deployer cannot run code as the default compute account or
 *   another environment's account.
 * - Buckets, datasets, Cloud Run services and image repositories are limited by name the same way
 *   (`environmentResourceCondition`).
 *
 * Access to the Pulumi state (one prefix of the state bucket per environment) and to the secrets
 * KMS key is granted by the bootstrap on those two resources, so it is not listed here.
 */
import { builderAccountId, environmentResourceCondition } from "./deployEnvironments";

/** The custom role that lets an account start and read scheduled-query runs. */
export const TRANSFER_RUNNER_ROLE = {
  id: "analyticsTransferRunner",
  title: "Analytics scheduled-query runner",
  description:
    "Starts and reads BigQuery scheduled-query (Data Transfer) runs; no predefined role narrower than bigquery.admin holds bigquery.transfers.update.",
  permissions: ["bigquery.transfers.get", "bigquery.transfers.update"],
} as const;

/** `projects/<project>/roles/analyticsTransferRunner`, as IAM bindings name it. */
export function transferRunnerRole(project: string): string {
  return `projects/${project}/roles/${TRANSFER_RUNNER_ROLE.id}`;
}

/**
 * The only roles the program grants on the project itself (all other grants are on a bucket, a
 * dataset, a table, a service account, a service or a repository). None reads data:
 * `bigquery.jobUser` runs jobs, `workflows.invoker` starts an execution, the transfer runner
 * starts scheduled-query runs that run as their own account.
 */
export function projectGrantableRoles(project: string): string[] {
  return ["roles/bigquery.jobUser", "roles/workflows.invoker", transferRunnerRole(project)];
}

export interface IamCondition {
  readonly title: string;
  readonly description: string;
  readonly expression: string;
}

export interface DeployerGrant {
  /** A predefined role `roles/<service>.<name>`, or this project's custom role. */
  readonly role: string;
  /** What in the program needs it. */
  readonly justification: string;
  /** Narrows the grant, where the role's resources can be named in a condition. */
  readonly condition?: IamCondition;
}

/** `api.getAttribute(...).hasOnly([...])`: the condition that delegates granting a few roles. */
export function grantOnlyCondition(roles: readonly string[]): string {
  return `api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([${roles
    .map((r) => `'${r}'`)
    .join(", ")}])`;
}

/** The grants of one environment's deployer, in the order the bootstrap applies them. */
export function deployerGrants(project: string, environment: string): DeployerGrant[] {
  const names: IamCondition = {
    title: `${environment} resources only`,
    description: `Buckets, datasets, service accounts, Cloud Run services and repositories named for the ${environment} environment`,
    expression: environmentResourceCondition(project, environment),
  };
  const grantable = projectGrantableRoles(project);
  return [
    {
      role: "roles/serviceusage.serviceUsageAdmin",
      justification:
        "enables the APIs the stack uses and creates the Data Transfer service identity (APIs are never disabled on destroy)",
    },
    {
      role: "roles/storage.admin",
      justification: "creates the lake and function-source buckets and sets their IAM",
      condition: names,
    },
    {
      role: "roles/bigquery.dataOwner",
      justification: "creates the datasets and tables and sets dataset and table IAM",
      condition: names,
    },
    {
      role: transferRunnerRole(project),
      justification:
        "creates and updates the scheduled queries (transfer configs have no per-config IAM)",
    },
    {
      role: "roles/cloudfunctions.developer",
      justification: "deploys the gen2 Cloud Functions (no IAM on them: invocation is on Run)",
    },
    {
      role: "roles/run.admin",
      justification: "sets run.invoker on the functions' Cloud Run services",
      condition: names,
    },
    {
      role: "roles/artifactregistry.admin",
      justification:
        "creates the stack's function image repository and lets the environment's builder write to it",
      condition: names,
    },
    {
      role: "roles/workflows.editor",
      justification: "deploys the nightly and backfill workflows",
    },
    {
      role: "roles/pubsub.admin",
      justification:
        "creates the topic the lake bucket notifies of orders files under incoming/, the push subscription to loadOrders, the dead-letter topic, and their IAM",
    },
    {
      role: "roles/cloudscheduler.admin",
      justification: "creates the Cloud Scheduler job that starts the nightly workflow",
    },
    {
      role: "roles/iam.serviceAccountAdmin",
      justification:
        "creates one service account per job and sets IAM on them (the Data Transfer agent's token creation on the mart runner)",
      condition: names,
    },
    {
      role: "roles/iam.serviceAccountUser",
      justification:
        "attaches the environment's own accounts to functions, the workflows, the scheduler job and scheduled queries",
      condition: names,
    },
    {
      role: "roles/resourcemanager.projectIamAdmin",
      justification: `adds and removes project bindings of ${grantable.join(", ")} only (jobs, workflow executions and scheduled-query runs cannot be granted per resource)`,
      condition: {
        title: "grant job and run roles only",
        description: `May grant or revoke only: ${grantable.join(", ")}`,
        expression: grantOnlyCondition(grantable),
      },
    },
    {
      role: "roles/logging.configWriter",
      justification: "creates the log-based metric behind the missing-day alert",
    },
    {
      role: "roles/monitoring.alertPolicyEditor",
      justification: "creates the alert policies",
    },
    {
      role: "roles/monitoring.notificationChannelEditor",
      justification: "creates the alert notification channel from config",
    },
  ];
}

/**
 * Project-level grants of an environment's build account, made by the bootstrap (a stack cannot
 * grant them without broader IAM rights). Gen2 builds fetch the source from Google's
 * `gcf-v2-sources-<number>-<region>` bucket, not from ours
 * (https://github.com/hashicorp/terraform-provider-google/issues/20571); the documented build
 * roles are log writing, image pushing and object reading
 * (https://cloud.google.com/run/docs/configuring/services/build-service-account). Image pushing
 * is granted by each stack on its own repository, not here.
 */
export function builderGrants(projectNumber: string, region: string): DeployerGrant[] {
  const sources = `gcf-v2-sources-${projectNumber}-${region}`;
  return [
    {
      role: "roles/logging.logWriter",
      justification: "writes build logs",
    },
    {
      role: "roles/storage.objectViewer",
      justification: `reads the uploaded function source from gs://${sources}`,
      condition: {
        title: "function sources only",
        description: `Objects of gs://${sources}`,
        expression: `resource.name.startsWith('projects/_/buckets/${sources}')`,
      },
    },
  ];
}

/** The build account email of an environment. */
export function builderEmail(project: string, environment: string): string {
  return `${builderAccountId(environment)}@${project}.iam.gserviceaccount.com`;
}
