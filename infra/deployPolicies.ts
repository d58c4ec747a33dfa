/**
 * Invariants of the deploy path, as plain functions over what the bootstrap would run (its dry
 * run, or the grants it reads). Each returns the violations it finds (empty = compliant), so a
 * test can show both that the real plan passes and that a deliberately broken one fails.
 */
import type { DeployerGrant } from "./deployerRoles";

/**
 * Roles with which an account can raise its own or another principal's rights (set project IAM,
 * act as or mint tokens for other accounts), or read any bucket or dataset of the project. A
 * deployer may hold one only under a condition.
 */
export const ESCALATING_ROLES = [
  "roles/owner",
  "roles/editor",
  "roles/resourcemanager.projectIamAdmin",
  "roles/iam.securityAdmin",
  "roles/iam.serviceAccountUser",
  "roles/iam.serviceAccountAdmin",
  "roles/iam.serviceAccountTokenCreator",
  "roles/iam.workloadIdentityUser",
  "roles/storage.admin",
  "roles/storage.objectAdmin",
  "roles/storage.objectViewer",
  "roles/bigquery.admin",
  "roles/bigquery.dataOwner",
  "roles/bigquery.dataEditor",
  "roles/bigquery.dataViewer",
  "roles/run.admin",
  "roles/artifactregistry.admin",
  "roles/cloudfunctions.admin",
] as const;

/** Grants of an escalating role with no condition. */
export function unguardedGrants(account: string, grants: readonly DeployerGrant[]): string[] {
  return grants
    .filter((g) => (ESCALATING_ROLES as readonly string[]).includes(g.role) && !g.condition)
    .map((g) => `${account} holds ${g.role} on the whole project, with no condition`);
}

const WORKLOAD_IDENTITY_BINDING = /--role=roles\/iam\.workloadIdentityUser\b/;
const SUBJECT =
  /subject\/repo:[^:\s"]+\/[^:\s"]+:(environment:[a-z][a-z0-9]*|pull_request)"?(\s|$)/;

/**
 * `workloadIdentityUser` bindings in a bootstrap plan that trust more than one GitHub OIDC
 * subject: a `principalSet://` (every run of a repository, branch or attribute value) or a
 * subject that is not `repo:<owner>/<name>:environment:<env>` / `:pull_request`.
 */
export function broadDeployerPrincipals(planLines: readonly string[]): string[] {
  return planLines
    .filter((line) => WORKLOAD_IDENTITY_BINDING.test(line))
    .filter((line) => line.includes("principalSet://") || !SUBJECT.test(line))
    .map((line) => `trusts more than one run: ${line.trim()}`);
}

/** Environments that share a deployer account (each must have its own). */
export function sharedDeployers(accounts: Readonly<Record<string, string>>): string[] {
  const byAccount = new Map<string, string[]>();
  for (const [environment, account] of Object.entries(accounts))
    byAccount.set(account, [...(byAccount.get(account) ?? []), environment]);
  return [...byAccount.entries()]
    .filter(([, environments]) => environments.length > 1)
    .map(([account, environments]) => `${environments.join(" and ")} deploy as ${account}`);
}
