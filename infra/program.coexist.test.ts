/**
 * Two non-preview stacks in one project, and the security checks run against a deliberately
 * broken program, so each check is shown able to fail. Each program runs in a module registry of
 * its own (Pulumi's runtime state lives there).
 */
import { T } from "./testing/componentHarness";
import { ofType, type RecordedResource } from "./testing/pulumiMocks";
import { runProgramIsolated, stackFileConfig } from "./testing/runProgram";
import { projectGrantableRoles } from "./deployerRoles";
import { broadServiceAccountRoles, projectBindingKeys, ungrantableProjectRoles } from "./policies";

const devConfig = stackFileConfig("dev");
const PROJECT = devConfig["gcp:project"]!;
/** prod in the same project as dev, with the same readers: the case that used to collide. */
const prodConfig = { ...devConfig };

let dev: RecordedResource[];
let prod: RecordedResource[];
let broken: RecordedResource[];

beforeAll(async () => {
  dev = (await runProgramIsolated("dev", devConfig)).created;
  prod = (await runProgramIsolated("prod", prodConfig)).created;
  // The orchestrator's job-user grant turned into BigQuery admin on the whole project.
  broken = (
    await runProgramIsolated("dev", devConfig, ({ type, name, inputs }) =>
      type === T.projectIam && name === "orchestration-bigquery-jobUser"
        ? { ...inputs, role: "roles/bigquery.admin" }
        : undefined,
    )
  ).created;
});

/** The project-unique names a stack claims: datasets, buckets, accounts, functions, workflows, jobs. */
function claimedNames(created: RecordedResource[]): string[] {
  return [
    ...ofType(created, T.dataset).map((d) => `dataset ${d.inputs.datasetId}`),
    ...ofType(created, T.bucket).map((b) => `bucket ${b.inputs.name}`),
    ...ofType(created, T.account).map((a) => `account ${a.inputs.accountId}`),
    ...ofType(created, T.fn).map((f) => `function ${f.inputs.name}`),
    ...ofType(created, "gcp:workflows/workflow:Workflow").map((w) => `workflow ${w.inputs.name}`),
    ...ofType(created, T.job).map((j) => `job ${j.inputs.name}`),
    ...ofType(created, "gcp:logging/metric:Metric").map((m) => `metric ${m.inputs.name}`),
    ...ofType(created, "gcp:artifactregistry/repository:Repository").map(
      (r) => `repository ${r.inputs.repositoryId}`,
    ),
  ];
}

describe("dev and prod in one project", () => {
  it("claim no dataset, bucket, account, function, workflow or job of the other", () => {
    const devNames = claimedNames(dev);
    const prodNames = claimedNames(prod);
    expect(devNames.length).toBeGreaterThan(15);
    expect(prodNames.filter((n) => devNames.includes(n))).toEqual([]);
  });

  it("own no project-level binding in common, even for the same BI readers", () => {
    const devKeys = projectBindingKeys(dev);
    const prodKeys = projectBindingKeys(prod);
    expect(devKeys.some((k) => k.startsWith("roles/bigquery.jobUser group:"))).toBe(true);
    expect(prodKeys.filter((k) => devKeys.includes(k))).toEqual([]);
  });

  it("grant on the project only roles the deployers may grant", () => {
    expect(ungrantableProjectRoles(prod, projectGrantableRoles(PROJECT))).toEqual([]);
    expect(broadServiceAccountRoles(prod)).toEqual([]);
  });
});

describe("the security checks against a deliberately broken program", () => {
  it("flag a runtime account given a project-wide admin role", () => {
    expect(broadServiceAccountRoles(broken)).toEqual([
      `orchestration-bigquery-jobUser: serviceAccount:orchestrator-dev@${PROJECT}.iam.gserviceaccount.com holds roles/bigquery.admin on the project`,
    ]);
  });

  it("flag a project-level role no deployer may grant", () => {
    expect(ungrantableProjectRoles(broken, projectGrantableRoles(PROJECT))).toEqual([
      "orchestration-bigquery-jobUser grants roles/bigquery.admin on the project, which no deployer may grant",
    ]);
  });

  it("flag two stacks sharing a binding when the per-stack condition is dropped", () => {
    const unconditioned = (created: RecordedResource[]) =>
      created.map((r) =>
        r.type === T.projectIam ? { ...r, inputs: { ...r.inputs, condition: undefined } } : r,
      );
    const devKeys = projectBindingKeys(unconditioned(dev));
    const shared = projectBindingKeys(unconditioned(prod)).filter((k) => devKeys.includes(k));
    expect(shared.length).toBeGreaterThan(0);
  });
});
