import { bucketName, serviceAccountId, stackResourceName } from "./names";
import { datasetIdsFor } from "./config";
import {
  deployEnvironmentOf,
  environmentResourceCondition,
  githubSubject,
  providerCondition,
  subjectPrincipal,
} from "./deployEnvironments";
import { grantOnlyCondition, projectGrantableRoles } from "./deployerRoles";

const PROJECT = "shop-analytics-1";

/** The `matches('...')` patterns of a condition, as JavaScript regular expressions. */
function patterns(condition: string): RegExp[] {
  return [...condition.matchAll(/matches\('([^']+)'\)/g)].map((m) => new RegExp(m[1]!));
}

/** The resource names a stack's resources carry, as IAM conditions see them. */
function resourceNames(stack: string): string[] {
  const datasets = Object.values(datasetIdsFor(stack));
  return [
    `projects/_/buckets/${bucketName(PROJECT, stack, "lake")}`,
    `projects/_/buckets/${bucketName(PROJECT, stack, "lake")}/objects/raw/events/x.parquet`,
    ...datasets.map((d) => `projects/${PROJECT}/datasets/${d}`),
    `projects/${PROJECT}/datasets/${datasets[0]}/tables/events`,
    `projects/${PROJECT}/serviceAccounts/${serviceAccountId("mart-runner", stack)}@${PROJECT}.iam.gserviceaccount.com`,
    `projects/${PROJECT}/locations/us-central1/services/${stackResourceName("generate-data", stack)}`,
    `projects/${PROJECT}/locations/us-central1/repositories/${stackResourceName("fn-images", stack)}`,
  ];
}

/** Which of a stack's names some pattern of the environment's condition admits. */
function admitted(environment: string, stack: string): boolean[] {
  const res = patterns(environmentResourceCondition(PROJECT, environment));
  return resourceNames(stack).map((name) => res.some((re) => re.test(name)));
}

describe("deploy environments", () => {
  it("deploys pr-<n> stacks from the preview environment and others from their own", () => {
    expect(deployEnvironmentOf("pr-12")).toBe("preview");
    expect(deployEnvironmentOf("dev")).toBe("dev");
    expect(deployEnvironmentOf("prod")).toBe("prod");
  });

  it("binds dev and prod to their GitHub environment and previews to pull requests", () => {
    expect(githubSubject("acme/shop", "prod")).toBe("repo:acme/shop:environment:prod");
    expect(githubSubject("acme/shop", "preview")).toBe("repo:acme/shop:pull_request");
    expect(subjectPrincipal("42", "github", "acme/shop", "dev")).toBe(
      "principal://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/github/subject/repo:acme/shop:environment:dev",
    );
  });

  it("refuses an environment name the account ids cannot carry", () => {
    expect(() => githubSubject("acme/shop", "Prod")).toThrow(/invalid/);
    expect(() => environmentResourceCondition(PROJECT, "a-b")).toThrow(/invalid/);
  });

  it("lets prod deploy from main and release tags, dev from main only, previews from pull_request", () => {
    const condition = providerCondition("acme/shop", ["dev", "prod", "preview"]);
    expect(condition.startsWith("assertion.repository == 'acme/shop' && (")).toBe(true);
    expect(condition).toContain("assertion.ref.startsWith('refs/tags/v')");
    expect(condition.match(/refs\/tags/g)).toHaveLength(1);
    expect(condition).toContain("assertion.event_name == 'pull_request'");
  });
});

describe("a deployer's resource condition", () => {
  it("admits every name its own stacks' resources carry", () => {
    expect(admitted("dev", "dev").every(Boolean)).toBe(true);
    expect(admitted("prod", "prod").every(Boolean)).toBe(true);
    expect(admitted("preview", "pr-7").every(Boolean)).toBe(true);
    expect(admitted("preview", "pr-12345").every(Boolean)).toBe(true);
  });

  it("admits none of another environment's names", () => {
    expect(admitted("preview", "dev").some(Boolean)).toBe(false);
    expect(admitted("preview", "prod").some(Boolean)).toBe(false);
    expect(admitted("dev", "prod").some(Boolean)).toBe(false);
    expect(admitted("prod", "dev").some(Boolean)).toBe(false);
    expect(admitted("dev", "pr-7").some(Boolean)).toBe(false);
  });

  it("guards each kind of resource it names by type, so other resource types pass", () => {
    const condition = environmentResourceCondition(PROJECT, "dev");
    for (const type of [
      "storage.googleapis.com/Bucket",
      "bigquery.googleapis.com/Dataset",
      "bigquery.googleapis.com/Table",
      "iam.googleapis.com/ServiceAccount",
      "run.googleapis.com/Service",
      "artifactregistry.googleapis.com/Repository",
    ])
      expect(condition).toContain(`resource.type != '${type}'`);
  });

  it("stays within IAM's 12 logical operators per condition", () => {
    // https://cloud.google.com/iam/quotas: a condition expression has at most 12 && / || / !.
    for (const environment of ["dev", "prod", "preview"]) {
      const condition = environmentResourceCondition(PROJECT, environment);
      const operators = condition.match(/&&|\|\||!(?!=)/g) ?? [];
      expect(operators.length).toBeLessThanOrEqual(12);
    }
  });

  it("delegates granting of the project-level job and run roles only", () => {
    expect(grantOnlyCondition(projectGrantableRoles(PROJECT))).toBe(
      "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(" +
        "['roles/bigquery.jobUser', 'roles/workflows.invoker', 'projects/shop-analytics-1/roles/analyticsTransferRunner'])",
    );
  });
});
