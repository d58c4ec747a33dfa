/**
 * scripts/bootstrap runs against a real project only by hand, so its dry run is the contract:
 * every planned command printed, nothing run, each resource described before it is created, the
 * deployer roles taken from infra/deployerRoles.ts, and bad input refused before any work.
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
import { DEPLOYER_ROLES } from "../infra/deployerRoles";

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

  it("grants the deployer every role in infra/deployerRoles.ts, each with its justification", () => {
    const granted = [
      ...out.matchAll(/add-iam-policy-binding shop-analytics-1 .*--role=(\S+)/g),
    ].map((m) => m[1]);
    expect(granted).toEqual(DEPLOYER_ROLES.map((r) => r.role));
    for (const { role, justification } of DEPLOYER_ROLES)
      expect(out).toContain(`# ${role}: ${justification}`);
  });

  it("restricts the Workload Identity provider to this repository", () => {
    const condition = `"--attribute-condition=assertion.repository == 'acme/shop-stack'"`;
    const create = out.split("\n").find((l) => l.includes("providers create-oidc"));
    const update = out.split("\n").find((l) => l.includes("providers update-oidc"));
    for (const line of [create, update]) {
      expect(line).toContain(condition);
      expect(line).toContain("attribute.repository=assertion.repository");
    }
    expect(create).toContain("--issuer-uri=https://token.actions.githubusercontent.com");
    expect(out).toContain(
      '"--member=principalSet://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/' +
        'workloadIdentityPools/github/attribute.repository/acme/shop-stack"',
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
      "iam service-accounts",
      "iam workload-identity-pools",
      "iam workload-identity-pools providers",
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

  it("prints the repository variables the workflows read", () => {
    for (const variable of [
      "GCP_PROJECT_ID --repo acme/shop-stack --body shop-analytics-1",
      "GCP_REGION --repo acme/shop-stack --body us-central1",
      'GCP_WORKLOAD_IDENTITY_PROVIDER --repo acme/shop-stack --body "projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/github/providers/github-actions"',
      "GCP_DEPLOYER_SERVICE_ACCOUNT --repo acme/shop-stack --body pulumi-deployer@shop-analytics-1.iam.gserviceaccount.com",
      "PULUMI_BACKEND_URL --repo acme/shop-stack --body gs://shop-analytics-1-pulumi-state",
      "PULUMI_SECRETS_PROVIDER --repo acme/shop-stack --body gcpkms://projects/shop-analytics-1/locations/us-central1/keyRings/pulumi/cryptoKeys/pulumi-secrets",
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
      "--service-account",
      "ci-deployer",
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      "gcloud storage buckets create gs://acme-state --project=shop-analytics-1 --location=europe-west1",
    );
    expect(result.stdout).toContain(
      "gcloud iam workload-identity-pools providers create-oidc gh-provider --workload-identity-pool=gh-pool",
    );
    expect(result.stdout).toContain("ci-deployer@shop-analytics-1.iam.gserviceaccount.com");
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

  it("requires --project and --repo, and names an unknown flag", () => {
    expect(bootstrap(["--dry-run", "--repo", "acme/shop"]).stderr).toContain(
      "--project is required",
    );
    expect(bootstrap(["--dry-run", "--project", "my-project"]).stderr).toContain(
      "--repo is required",
    );
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
  it("are predefined roles, each justified, never a basic role", () => {
    expect(DEPLOYER_ROLES.length).toBeGreaterThan(0);
    for (const { role, justification } of DEPLOYER_ROLES) {
      expect(role).toMatch(/^roles\/[a-zA-Z]+\.[a-zA-Z.]+$/);
      expect(["roles/owner", "roles/editor", "roles/viewer"]).not.toContain(role);
      expect(justification.trim().length).toBeGreaterThan(10);
    }
    expect(new Set(DEPLOYER_ROLES.map((r) => r.role)).size).toBe(DEPLOYER_ROLES.length);
  });
});
