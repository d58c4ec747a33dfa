/**
 * The project roles the deployer service account (the identity GitHub Actions assumes through
 * Workload Identity Federation) needs to `pulumi up` and `pulumi destroy` this program, each with
 * the reason. Defined once: `scripts/bootstrap` grants exactly this list, and a role the program
 * stops needing should be removed here.
 *
 * Access to the Pulumi state bucket and the secrets KMS key is granted by the bootstrap on those
 * two resources only, so it is not listed here.
 */
export interface DeployerRole {
  /** A predefined role, `roles/<service>.<name>`. */
  readonly role: string;
  /** What in the program needs it. */
  readonly justification: string;
}

export const DEPLOYER_ROLES: readonly DeployerRole[] = [
  {
    role: "roles/serviceusage.serviceUsageAdmin",
    justification: "enables the APIs the stack uses and creates the Data Transfer service identity",
  },
  {
    role: "roles/storage.admin",
    justification:
      "creates the lake and function-source buckets with lifecycle rules and sets bucket IAM",
  },
  {
    role: "roles/bigquery.admin",
    justification:
      "creates datasets and tables, dataset IAM for BI readers, and scheduled queries (transfer configs)",
  },
  {
    role: "roles/cloudfunctions.admin",
    justification: "deploys the two gen2 Cloud Functions",
  },
  {
    role: "roles/run.admin",
    justification:
      "sets run.invoker on the functions' Cloud Run services; the preview smoke run invokes them",
  },
  {
    role: "roles/cloudscheduler.admin",
    justification: "creates the Cloud Scheduler jobs that start the functions with OIDC",
  },
  {
    role: "roles/iam.serviceAccountAdmin",
    justification:
      "creates one service account per job and grants the Data Transfer agent token creation on the runner",
  },
  {
    role: "roles/iam.serviceAccountUser",
    justification:
      "attaches those service accounts to functions, scheduler jobs and scheduled queries",
  },
  {
    role: "roles/resourcemanager.projectIamAdmin",
    justification:
      "grants the job service accounts their few project-level roles (e.g. bigquery.jobUser)",
  },
  {
    role: "roles/monitoring.alertPolicyEditor",
    justification: "creates alert policies on function errors and failed scheduled-query runs",
  },
  {
    role: "roles/monitoring.notificationChannelEditor",
    justification: "creates the alert notification channel from config",
  },
];
