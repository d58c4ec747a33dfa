/**
 * The deploy environments, defined once: which GitHub workflow runs may act as which deployer
 * account, and which resource names each deployer may touch. `scripts/bootstrap` creates the
 * accounts, the Workload Identity provider and the bindings from these functions; the workflows
 * and their tests read the same names.
 *
 * Why not trust the whole repository: a binding to `principalSet://.../attribute.repository/...`
 * lets any branch's workflow mint the deployer's token, and the `prod` environment's reviewers do
 * not stop a branch that simply omits the environment
 * (https://github.com/google-github-actions/auth/pull/409). Each deployer is therefore bound to
 * one GitHub OIDC subject (`repo:<owner>/<name>:environment:<env>`, or `...:pull_request` for
 * previews), and the provider refuses a token whose ref does not fit its environment.
 */
import { isPreviewStack } from "./stackName";

/** The GitHub environment of preview stacks' deploys: pull-request workflows carry none. */
export const PREVIEW_ENVIRONMENT = "preview";

/** The environments `scripts/bootstrap` sets up by default. */
export const DEFAULT_ENVIRONMENTS = ["dev", "prod", PREVIEW_ENVIRONMENT] as const;

/** A deploy environment's name: lowercase, short enough for the account ids built from it. */
export const ENVIRONMENT_RE = /^[a-z][a-z0-9]{1,11}$/;

/** Refs each non-preview environment deploys from; anything else is refused by the provider. */
export function allowedRefs(environment: string): { exact: string[]; prefixes: string[] } {
  if (environment === "prod") return { exact: ["refs/heads/main"], prefixes: ["refs/tags/v"] };
  return { exact: ["refs/heads/main"], prefixes: [] };
}

function checkEnvironment(environment: string): void {
  if (!ENVIRONMENT_RE.test(environment)) {
    throw new Error(
      `Deploy environment "${environment}" is invalid: 2-12 lowercase letters or digits, starting with a letter`,
    );
  }
}

/** The deploy environment of a stack: `preview` for `pr-<n>`, else the stack's own name. */
export function deployEnvironmentOf(stack: string): string {
  return isPreviewStack(stack) ? PREVIEW_ENVIRONMENT : stack;
}

/** The deployer service account id of an environment (`deploy-dev`). */
export function deployerAccountId(environment: string): string {
  checkEnvironment(environment);
  return `deploy-${environment}`;
}

/**
 * The build service account of an environment (`fn-builder-dev`), made once by the bootstrap
 * with the project-level reads a gen2 build needs, so no stack has to grant them.
 */
export function builderAccountId(environment: string): string {
  checkEnvironment(environment);
  return `fn-builder-${environment}`;
}

/**
 * The GitHub OIDC `sub` claim of the runs that may deploy an environment: a job declaring
 * `environment: <env>` for dev/prod, any `pull_request` run for previews. The claim always
 * carries the repository, so it cannot match another repository's runs in a shared pool.
 */
export function githubSubject(repo: string, environment: string): string {
  checkEnvironment(environment);
  return environment === PREVIEW_ENVIRONMENT
    ? `repo:${repo}:pull_request`
    : `repo:${repo}:environment:${environment}`;
}

const quoted = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * The provider's attribute condition: a token passes only from this repository and, per
 * environment, only from the runs allowed to deploy it (dev from main; prod from main or a
 * `v*` tag; previews from `pull_request` events, never `pull_request_target`, which runs with the
 * base repository's secrets on a fork's request).
 */
export function providerCondition(repo: string, environments: readonly string[]): string {
  const clauses = environments.map((environment) => {
    const sub = `assertion.sub == ${quoted(githubSubject(repo, environment))}`;
    if (environment === PREVIEW_ENVIRONMENT)
      return `(${sub} && assertion.event_name == 'pull_request')`;
    const { exact, prefixes } = allowedRefs(environment);
    const refs = [
      ...exact.map((r) => `assertion.ref == ${quoted(r)}`),
      ...prefixes.map((p) => `assertion.ref.startsWith(${quoted(p)})`),
    ];
    return `(${sub} && (${refs.join(" || ")}))`;
  });
  return `assertion.repository == ${quoted(repo)} && (${clauses.join(" || ")})`;
}

/** The principal of a deployer binding: exactly one subject, never a repository-wide set. */
export function subjectPrincipal(
  projectNumber: string,
  pool: string,
  repo: string,
  environment: string,
): string {
  return (
    `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/` +
    `workloadIdentityPools/${pool}/subject/${githubSubject(repo, environment)}`
  );
}

/**
 * The stack-name part every project-scoped resource of an environment carries (`names.ts`:
 * `<base>-<stack>`), as a regular expression: `dev`, or `pr-<n>` and the shared `preview` for
 * previews.
 */
export function stackSlugPattern(environment: string, separator = "-"): string {
  checkEnvironment(environment);
  return environment === PREVIEW_ENVIRONMENT ? `(pr${separator}[1-9][0-9]*|preview)` : environment;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * An IAM condition limiting a deployer's project-level roles to its environment's resources,
 * for the services whose resources IAM conditions can name
 * (https://cloud.google.com/iam/docs/conditions-resource-attributes): buckets
 * `<project>-<stack>-*`, datasets `*_<stack>` and their tables, service accounts `*-<stack>@`,
 * Cloud Run services and Artifact Registry repositories `*-<stack>`. Every other resource type
 * (including the project itself, where creation is checked) passes, so creating is allowed and
 * touching another environment's resource of these kinds is not.
 */
export function environmentResourceCondition(project: string, environment: string): string {
  const slug = stackSlugPattern(environment);
  const dataset = stackSlugPattern(environment, "_");
  const p = escapeRe(project);
  const guards: [string[], string][] = [
    [
      ["storage.googleapis.com/Bucket", "storage.googleapis.com/Object"],
      `resource.name.matches('^projects/_/buckets/${p}-${slug}-[a-z0-9-]+(/.*)?$')`,
    ],
    [
      ["bigquery.googleapis.com/Dataset", "bigquery.googleapis.com/Table"],
      `resource.name.matches('^projects/${p}/datasets/[a-z]+_${dataset}(/.*)?$')`,
    ],
    [
      ["iam.googleapis.com/ServiceAccount"],
      `resource.name.matches('^projects/[^/]+/serviceAccounts/[a-z0-9-]+-${slug}@${p}[.]iam[.]gserviceaccount[.]com$')`,
    ],
    [
      ["run.googleapis.com/Service", "artifactregistry.googleapis.com/Repository"],
      `resource.name.matches('^projects/${p}/locations/[a-z0-9-]+/(services|repositories)/[a-z0-9-]+-${slug}(/.*)?$')`,
    ],
  ];
  return guards
    .map(([types, allowed]) => {
      const other = types.map((t) => `resource.type != '${t}'`).join(" && ");
      return `((${other}) || ${allowed})`;
    })
    .join(" && ");
}
