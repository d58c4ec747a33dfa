/**
 * scripts/bootstrap runs against a real project only by hand, so its dry run is the contract:
 * every planned command printed, nothing run, each resource described before it is created, one
 * deployer per environment bound to one GitHub OIDC subject, the roles and conditions taken from
 * infra/deployerRoles.ts, and bad input refused before any work. The security checks run on the
 * real plan and on a deliberately broken one, so a pass means something.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  builderAccountId,
  DEFAULT_ENVIRONMENTS,
  deployerAccountId,
  githubSubject,
  providerCondition,
} from "../infra/deployEnvironments";
import { broadDeployerPrincipals, sharedDeployers, unguardedGrants } from "../infra/deployPolicies";
import { deployerGrants, transferRunnerRole } from "../infra/deployerRoles";

const ROOT = resolve(__dirname, "..");
const BOOTSTRAP = join(ROOT, "scripts", "bootstrap");
const BASH = ["/usr/bin/bash", "/bin/bash"].find((p) => existsSync(p)) ?? "/bin/bash";

let sandbox: string;
let bareBin: string;
let trapBin: string;
let trapLog: string;

beforeAll(() => {
  sandbox = mkdtempSync(join(tmpdir(), "bootstrap-"));
  // A PATH holding only bash and node: any gcloud call would fail with "command not found".
  bareBin = join(sandbox, "bare");
  // The same, plus a gcloud that records every call and fails, to prove none happens.
  trapBin = join(sandbox, "trap");
  trapLog = join(sandbox, "gcloud-calls.log");
  for (const bin of [bareBin, trapBin]) {
    spawnSync("mkdir", ["-p", bin]);
    symlinkSync(BASH, join(bin, "bash"));
    symlinkSync(process.execPath, join(bin, "node"));
  }
  writeFileSync(
    join(trapBin, "gcloud"),
    `#!/usr/bin/env bash\necho "gcloud $*" >> "${trapLog}"\nexit 1\n`,
  );
  chmodSync(join(trapBin, "gcloud"), 0o755);
});

afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

function bootstrap(args: string[], bin = bareBin) {
  const result = spawnSync(BOOTSTRAP, args, {
    encoding: "utf8",
    cwd: sandbox,
    env: { PATH: bin, HOME: sandbox },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const DRY = ["--dry-run", "--project", "shop-analytics-1", "--repo", "acme/shop-stack"];

describe("scripts/bootstrap --dry-run", () => {
  let out: string;
  beforeAll(() => {
    const result = bootstrap(DRY);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    out = result.stdout;
  });

  it("runs nothing: a gcloud on the PATH is never called", () => {
    const result = bootstrap(DRY, trapBin);
    expect(result.status).toBe(0);
    expect(existsSync(trapLog)).toBe(false);
    const plan = (text: string) =>
      text.replace(/--next-rotation-time=\S+/g, "--next-rotation-time=T");
    expect(plan(result.stdout)).toBe(plan(out));
  });

  it("without --dry-run really calls gcloud (so the dry run is what kept it from running)", () => {
    const result = bootstrap(DRY.slice(1), trapBin);
    expect(result.status).not.toBe(0);
    expect(readFileSync(trapLog, "utf8")).toContain("gcloud projects describe shop-analytics-1");
    rmSync(trapLog);
  });

  it("prints a plan that is itself a valid bash script", () => {
    const check = spawnSync(BASH, ["-n"], { input: out, encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("plans the state bucket: versioned, uniform access, public access prevention", () => {
    expect(out).toContain(
      "gcloud storage buckets create gs://shop-analytics-1-pulumi-state --project=shop-analytics-1 " +
        "--location=us-central1 --uniform-bucket-level-access --public-access-prevention",
    );
    expect(out).toContain(
      "gcloud storage buckets update gs://shop-analytics-1-pulumi-state --versioning",
    );
  });

  it("plans the KMS key ring and key, and gives the deployer use of that key only", () => {
    expect(out).toContain(
      "gcloud kms keyrings create pulumi --location=us-central1 --project=shop-analytics-1",
    );
    expect(out).toMatch(
      /gcloud kms keys create pulumi-secrets --keyring=pulumi .*--purpose=encryption/,
    );
    expect(out).toMatch(
      /gcloud kms keys add-iam-policy-binding pulumi-secrets .*--role=roles\/cloudkms.cryptoKeyEncrypterDecrypter/,
    );
  });

  const lines = () => out.split("\n");
  const projectGrants = (account: string) =>
    lines()
      .filter((l) => l.startsWith("gcloud projects add-iam-policy-binding shop-analytics-1 "))
      .filter((l) => l.includes(`--member=serviceAccount:${account}@`))
      .map((l) => ({
        role: /--role=(\S+)/.exec(l)![1]!,
        // The dry run escapes `$` for bash; the condition itself has a bare `$`.
        condition: /--condition=\^;\^expression=(.*);title=/.exec(l)?.[1]?.replace(/\\\$/g, "$"),
      }));

  it("sets up one deployer per environment: dev, prod and preview", () => {
    const created = lines()
      .filter((l) => l.includes("gcloud iam service-accounts create deploy-"))
      .map((l) => /create (\S+)/.exec(l)![1]);
    expect(created).toEqual(DEFAULT_ENVIRONMENTS.map(deployerAccountId));
    const accounts = Object.fromEntries(DEFAULT_ENVIRONMENTS.map((e) => [e, deployerAccountId(e)]));
    expect(sharedDeployers(accounts)).toEqual([]);
    expect(sharedDeployers({ ...accounts, prod: "deploy-dev" })).toEqual([
      "dev and prod deploy as deploy-dev",
    ]);
  });

  it("grants each deployer exactly its roles from infra/deployerRoles.ts, each with its justification and condition", () => {
    for (const environment of DEFAULT_ENVIRONMENTS) {
      const account = deployerAccountId(environment);
      const expected = deployerGrants("shop-analytics-1", environment);
      expect(projectGrants(account)).toEqual(
        expected.map((g) => ({ role: g.role, condition: g.condition?.expression })),
      );
      for (const { role, justification } of expected)
        expect(out).toContain(`# ${account} ${role}: ${justification}`);
    }
  });

  it("holds no escalating role without a condition, in the plan as printed", () => {
    for (const environment of DEFAULT_ENVIRONMENTS) {
      const account = deployerAccountId(environment);
      const granted = projectGrants(account).map((g) => ({
        role: g.role,
        justification: "",
        ...(g.condition
          ? { condition: { title: "", description: "", expression: g.condition } }
          : {}),
      }));
      expect(granted.length).toBeGreaterThan(5);
      expect(unguardedGrants(account, granted)).toEqual([]);
    }
  });

  it("the escalation check fails on a deployer given projectIamAdmin without its condition", () => {
    const broken = deployerGrants("shop-analytics-1", "prod").map((g) =>
      g.role === "roles/resourcemanager.projectIamAdmin" ? { ...g, condition: undefined } : g,
    );
    expect(unguardedGrants("deploy-prod", broken)).toEqual([
      "deploy-prod holds roles/resourcemanager.projectIamAdmin on the whole project, with no condition",
    ]);
  });

  it("limits projectIamAdmin to granting the job and run roles the program needs", () => {
    const admin = projectGrants("deploy-dev").find(
      (g) => g.role === "roles/resourcemanager.projectIamAdmin",
    );
    expect(admin?.condition).toBe(
      "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(" +
        `['roles/bigquery.jobUser', 'roles/workflows.invoker', '${transferRunnerRole("shop-analytics-1")}'])`,
    );
  });

  it("binds each deployer to exactly one GitHub OIDC subject, never a repository-wide set", () => {
    const bindings = lines().filter((l) => l.includes("--role=roles/iam.workloadIdentityUser"));
    expect(bindings).toHaveLength(DEFAULT_ENVIRONMENTS.length);
    for (const environment of DEFAULT_ENVIRONMENTS) {
      const binding = bindings.find((l) => l.includes(`${deployerAccountId(environment)}@`));
      expect(binding).toContain(
        '"--member=principal://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/' +
          `workloadIdentityPools/github/subject/${githubSubject("acme/shop-stack", environment)}"`,
      );
    }
    expect(broadDeployerPrincipals(lines())).toEqual([]);
    expect(out).not.toContain("principalSet://");
  });

  it("the principal check fails on a deployer bound to the whole repository", () => {
    const broken = lines().map((l) =>
      l.includes("deploy-prod@") && l.includes("workloadIdentityUser")
        ? l.replace(
            /principal:\/\/(.*)\/subject\/[^"]+/,
            "principalSet://$1/attribute.repository/acme/shop-stack",
          )
        : l,
    );
    const violations = broadDeployerPrincipals(broken);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("deploy-prod@");
  });

  it("accepts tokens only from the runs allowed to deploy each environment", () => {
    const condition = providerCondition("acme/shop-stack", DEFAULT_ENVIRONMENTS);
    const create = lines().find((l) => l.includes("providers create-oidc"));
    const update = lines().find((l) => l.includes("providers update-oidc"));
    for (const line of [create, update]) {
      expect(line).toContain(`"--attribute-condition=${condition}"`);
      expect(line).toContain("google.subject=assertion.sub");
    }
    expect(create).toContain("--issuer-uri=https://token.actions.githubusercontent.com");
    expect(condition).toContain("assertion.repository == 'acme/shop-stack'");
    expect(condition).toContain(
      "(assertion.sub == 'repo:acme/shop-stack:environment:prod' && (assertion.ref == 'refs/heads/main' || assertion.ref.startsWith('refs/tags/v')))",
    );
    expect(condition).toContain(
      "(assertion.sub == 'repo:acme/shop-stack:environment:dev' && (assertion.ref == 'refs/heads/main'))",
    );
    expect(condition).toContain(
      "(assertion.sub == 'repo:acme/shop-stack:pull_request' && assertion.event_name == 'pull_request')",
    );
  });

  it("gives each environment's deployer its own prefix of the state bucket", () => {
    for (const environment of DEFAULT_ENVIRONMENTS) {
      const binding = lines().find(
        (l) =>
          l.startsWith("gcloud storage buckets add-iam-policy-binding") &&
          l.includes(`${deployerAccountId(environment)}@`),
      );
      expect(binding).toContain(
        `resource.name.startsWith('projects/_/buckets/shop-analytics-1-pulumi-state/objects/${environment}/')`,
      );
    }
  });

  it("creates a build account per environment with log writing and read on the function sources only", () => {
    for (const environment of DEFAULT_ENVIRONMENTS) {
      expect(projectGrants(builderAccountId(environment))).toEqual([
        { role: "roles/logging.logWriter", condition: undefined },
        {
          role: "roles/storage.objectViewer",
          condition:
            "resource.name.startsWith('projects/_/buckets/gcf-v2-sources-${PROJECT_NUMBER}-us-central1')",
        },
      ]);
    }
  });

  it("creates the custom role that starts scheduled-query runs, with exactly its two permissions", () => {
    expect(out).toContain(
      "--permissions=bigquery.transfers.get,bigquery.transfers.update --stage=GA",
    );
    expect(out).toContain(
      "gcloud iam roles update analyticsTransferRunner --project=shop-analytics-1 --permissions=bigquery.transfers.get,bigquery.transfers.update",
    );
  });

  it("describes each resource before creating it", () => {
    const lines = out.split("\n");
    const creates = lines
      .map((line, i) => ({ line, i }))
      .filter(({ line }) => /^\s*gcloud .* (create|create-oidc) /.test(line));
    expect(
      creates.map(({ line }) => line.trim().split(" ").slice(1, -1).join(" ").split(" create")[0]),
    ).toEqual([
      "storage buckets",
      "kms keyrings",
      "kms keys",
      "iam roles",
      "iam workload-identity-pools",
      "iam workload-identity-pools providers",
      ...DEFAULT_ENVIRONMENTS.flatMap(() => ["iam service-accounts", "iam service-accounts"]),
    ]);
    for (const { line, i } of creates) {
      const resource = line
        .trim()
        .split(" ")
        .slice(0, 5)
        .join(" ")
        .replace(/ create(-oidc)?\b.*/, "");
      const previous = lines[i - 1] ?? "";
      expect({ line, previous }).toEqual({
        line,
        previous: expect.stringMatching(
          new RegExp(`^${resource} describe .*>/dev/null 2>&1 \\|\\|$`),
        ),
      });
    }
  });

  it("prints the repository variables the workflows read, one deployer and state prefix per environment", () => {
    for (const variable of [
      "GCP_PROJECT_ID --repo acme/shop-stack --body shop-analytics-1",
      "GCP_REGION --repo acme/shop-stack --body us-central1",
      'GCP_WORKLOAD_IDENTITY_PROVIDER --repo acme/shop-stack --body "projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/github/providers/github-actions"',
      "PULUMI_SECRETS_PROVIDER --repo acme/shop-stack --body gcpkms://projects/shop-analytics-1/locations/us-central1/keyRings/pulumi/cryptoKeys/pulumi-secrets",
      "GCP_DEPLOYER_DEV --repo acme/shop-stack --body deploy-dev@shop-analytics-1.iam.gserviceaccount.com",
      "GCP_DEPLOYER_PROD --repo acme/shop-stack --body deploy-prod@shop-analytics-1.iam.gserviceaccount.com",
      "GCP_DEPLOYER_PREVIEW --repo acme/shop-stack --body deploy-preview@shop-analytics-1.iam.gserviceaccount.com",
      "PULUMI_BACKEND_URL_DEV --repo acme/shop-stack --body gs://shop-analytics-1-pulumi-state/dev",
      "PULUMI_BACKEND_URL_PROD --repo acme/shop-stack --body gs://shop-analytics-1-pulumi-state/prod",
      "PULUMI_BACKEND_URL_PREVIEW --repo acme/shop-stack --body gs://shop-analytics-1-pulumi-state/preview",
    ]) {
      expect(out).toContain(`# gh variable set ${variable}`);
    }
  });

  it("honours the naming options", () => {
    const result = bootstrap([
      ...DRY,
      "--region",
      "europe-west1",
      "--state-bucket",
      "acme-state",
      "--pool",
      "gh-pool",
      "--provider",
      "gh-provider",
      "--functions-region",
      "europe-west4",
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      "gcloud storage buckets create gs://acme-state --project=shop-analytics-1 --location=europe-west1",
    );
    expect(result.stdout).toContain(
      "gcloud iam workload-identity-pools providers create-oidc gh-provider --workload-identity-pool=gh-pool",
    );
    expect(result.stdout).toContain("gs://gcf-v2-sources-${PROJECT_NUMBER}-europe-west4");
  });

  it("sets up only the environments asked for (a prod-only project)", () => {
    const result = bootstrap([...DRY, "--environments", "prod"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("deploy-prod@");
    expect(result.stdout).not.toContain("deploy-dev@");
    expect(result.stdout).not.toContain("deploy-preview@");
    expect(result.stdout).toContain(
      `"--attribute-condition=${providerCondition("acme/shop-stack", ["prod"])}"`,
    );
  });
});

describe("scripts/bootstrap input checks", () => {
  it.each(["abcdef", "a-2345678901234567890123456789"])("accepts the project id %s", (project) => {
    expect(bootstrap(["--dry-run", "--project", project, "--repo", "acme/shop"]).status).toBe(0);
  });

  it.each([
    ["too short", "abcde"],
    ["too long", "a23456789012345678901234567890x"],
    ["starting with a digit", "1project"],
    ["with uppercase letters", "My-project"],
    ["with an underscore", "my_project"],
    ["ending with a hyphen", "my-project-"],
    ["with a space", "my project"],
  ])("rejects a project id %s", (_why, project) => {
    const result = bootstrap(["--dry-run", "--project", project, "--repo", "acme/shop"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`invalid project id '${project}'`);
    expect(result.stdout).toBe("");
  });

  it.each([
    ["no owner", "shop"],
    ["an empty name", "acme/"],
    ["an empty owner", "/shop"],
    ["three parts", "acme/shop/extra"],
    ["an owner starting with a hyphen", "-acme/shop"],
    ["a quote that would break the attribute condition", "acme/shop'"],
    ["a space", "acme/my shop"],
  ])("rejects a repository with %s", (_why, repo) => {
    const result = bootstrap(["--dry-run", "--project", "my-project", "--repo", repo]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/invalid repository/);
    expect(result.stdout).toBe("");
  });

  it.each([
    ["an empty list", ""],
    ["an uppercase name", "Prod"],
    ["a one-letter name", "p"],
    ["a trailing comma", "dev,"],
    ["a name too long for account ids", "productionenv1"],
  ])("rejects environments with %s", (_why, environments) => {
    const result = bootstrap([...DRY, "--environments", environments]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("invalid environments");
    expect(result.stdout).toBe("");
  });

  it("rejects a repository whose OIDC subject would not fit Workload Identity's 127 bytes", () => {
    const repo = `acme/${"x".repeat(100)}`;
    const result = bootstrap(["--dry-run", "--project", "my-project", "--repo", repo]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("too long for a Workload Identity subject");
    expect(result.stdout).toBe("");
  });

  it("requires --project and --repo, and names an unknown flag", () => {
    const noProject = bootstrap(["--dry-run", "--repo", "acme/shop"]);
    expect(noProject.status).not.toBe(0);
    expect(noProject.stderr).toContain("--project is required");
    const noRepo = bootstrap(["--dry-run", "--project", "my-project"]);
    expect(noRepo.status).not.toBe(0);
    expect(noRepo.stderr).toContain("--repo is required");
    const unknown = bootstrap([
      "--dry-run",
      "--project",
      "my-project",
      "--repo",
      "acme/shop",
      "--force",
    ]);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain("unknown argument '--force'");
  });
});

describe("the deployer roles", () => {
  it("are predefined or this project's custom roles, each justified, never a basic role", () => {
    for (const environment of DEFAULT_ENVIRONMENTS) {
      const grants = deployerGrants("shop-analytics-1", environment);
      expect(grants.length).toBeGreaterThan(0);
      for (const { role, justification } of grants) {
        expect(role).toMatch(
          /^(roles|projects\/shop-analytics-1\/roles)\/[a-zA-Z]+(\.[a-zA-Z.]+)?$/,
        );
        expect(["roles/owner", "roles/editor", "roles/viewer"]).not.toContain(role);
        expect(justification.trim().length).toBeGreaterThan(10);
      }
      expect(new Set(grants.map((r) => r.role)).size).toBe(grants.length);
    }
  });
});
