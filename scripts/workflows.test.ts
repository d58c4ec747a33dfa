/**
 * The GitHub workflows cannot run here, so they are checked by construction: schema validation,
 * permissions, keyless auth, action pinning, stack naming tied to infra's rule, deploy ordering
 * and locking. The two shell scripts they call are run for real against stand-in `bq`/`curl`.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { PREVIEW_ENVIRONMENT } from "../infra/deployEnvironments";
import { isPreviewStack, previewStackName } from "../infra/stackName";

const ROOT = resolve(__dirname, "..");
const WORKFLOW_DIR = join(ROOT, ".github", "workflows");
const VALIDATOR = join(ROOT, "node_modules", ".bin", "action-validator");

type Step = { uses?: string; run?: string; name?: string; with?: Record<string, unknown> };
type Job = {
  uses?: string;
  env?: Record<string, string>;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean | string };
  steps?: Step[];
};
type Workflow = {
  on: Record<string, unknown>;
  permissions: unknown;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
};

function loadWorkflow(file: string): { text: string; workflow: Workflow } {
  const text = readFileSync(join(WORKFLOW_DIR, file), "utf8");
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map(String).join("; ")}`);
  return { text, workflow: doc.toJS() as Workflow };
}

const FILES = readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f));
const WORKFLOWS = Object.fromEntries(FILES.map((f) => [f, loadWorkflow(f)]));

function workflow(file: string): Workflow {
  const entry = WORKFLOWS[file];
  if (!entry) throw new Error(`missing workflow ${file}`);
  return entry.workflow;
}

function allJobs(): Array<{ file: string; id: string; job: Job }> {
  return FILES.flatMap((file) =>
    Object.entries(workflow(file).jobs).map(([id, job]) => ({ file, id, job })),
  );
}

const isAuthStep = (s: Step) => s.uses?.startsWith("google-github-actions/auth@") ?? false;

/**
 * The deploy environment a job's OIDC token can act for: its GitHub environment, or `preview`
 * for a job without one (only pull_request runs of those can act as anyone: the preview
 * deployer; see infra/deployEnvironments.ts).
 */
function deployEnvironmentOfJob(_file: string, job: Job): string {
  const name = typeof job.environment === "string" ? job.environment : job.environment?.name;
  return name ?? PREVIEW_ENVIRONMENT;
}

/** Ways a job authenticates as another environment's deployer than its token allows. */
function deployerMismatches(file: string, job: Job): string[] {
  const environment = deployEnvironmentOfJob(file, job);
  const expected = `\${{ vars.GCP_DEPLOYER_${environment.toUpperCase()} }}`;
  const out: string[] = [];
  for (const step of (job.steps ?? []).filter(isAuthStep)) {
    const account = String(step.with?.service_account);
    if (account !== expected) out.push(`authenticates as ${account}, not ${expected}`);
  }
  const events = Object.keys(workflow(file).on);
  if (environment === PREVIEW_ENVIRONMENT && events.some((e) => e !== "pull_request"))
    out.push(
      `runs on ${events.join(", ")}, but only pull_request runs act as the preview deployer`,
    );
  return out;
}
const isPulumiStep = (s: Step) => s.uses?.startsWith("pulumi/actions@") ?? false;
const pulumiCommand = (s: Step) =>
  isPulumiStep(s) ? (s.with?.command as string | undefined) : undefined;
const CHANGES_STACK = new Set(["up", "destroy"]);

/**
 * Evaluates the only expressions a preview stack name may use: the pull request number. Anything
 * else is an error, so the test cannot pass on a name it does not understand.
 */
function evaluateStackExpression(template: string, pullRequest: number): string {
  return template.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_match, expr: string) => {
    if (expr === "github.event.number" || expr === "github.event.pull_request.number") {
      return String(pullRequest);
    }
    throw new Error(`unsupported expression in a stack name: ${expr}`);
  });
}

describe("every workflow file", () => {
  it("finds the four workflows", () => {
    expect(FILES.sort()).toEqual(["ci.yml", "deploy.yml", "preview-cleanup.yml", "preview.yml"]);
  });

  it.each(FILES)("%s validates against the GitHub workflow schema", (file) => {
    const result = spawnSync(VALIDATOR, [join(WORKFLOW_DIR, file)], { encoding: "utf8" });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("the validator rejects a workflow with an unknown job key (so a pass means something)", () => {
    const dir = mkdtempSync(join(tmpdir(), "workflow-"));
    try {
      const bad = join(dir, "bad.yml");
      writeFileSync(
        bad,
        "on: [push]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permisions: {}\n    steps:\n      - run: echo\n",
      );
      const result = spawnSync(VALIDATOR, [bad], { encoding: "utf8" });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain("permisions");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(FILES)("%s grants only contents: read at the top level", (file) => {
    expect(workflow(file).permissions).toEqual({ contents: "read" });
  });

  it.each(FILES)("%s references no JSON key, credentials_json or repository secret", (file) => {
    const { text } = WORKFLOWS[file]!;
    expect(text).not.toMatch(/credentials_json/i);
    expect(text).not.toMatch(/GOOGLE_APPLICATION_CREDENTIALS|service[_-]?account[_-]?key/i);
    // Keyless by design: the only token used is the run's own GITHUB_TOKEN (github.token).
    expect(text.match(/secrets\.[A-Za-z_]+/g) ?? []).toEqual([]);
  });

  it.each(FILES)(
    "%s pins every third-party action to a full commit SHA with its version",
    (file) => {
      const uses = [...WORKFLOWS[file]!.text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)];
      expect(uses.length).toBeGreaterThan(0);
      for (const [line, ref, rest] of uses) {
        if (ref!.startsWith("./")) continue;
        expect({ line, pinned: /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(ref!) }).toEqual({
          line,
          pinned: true,
        });
        expect({ line, comment: /^\s+# v\d+\.\d+\.\d+\s*$/.test(rest!) }).toEqual({
          line,
          comment: true,
        });
      }
    },
  );

  it("pins each action to one commit across all workflows", () => {
    const shas = new Map<string, Set<string>>();
    for (const { job } of allJobs()) {
      for (const step of job.steps ?? []) {
        if (!step.uses || step.uses.startsWith("./")) continue;
        const [action, sha] = step.uses.split("@") as [string, string];
        shas.set(action, (shas.get(action) ?? new Set()).add(sha));
      }
    }
    for (const [action, set] of shas)
      expect({ action, commits: set.size }).toEqual({ action, commits: 1 });
  });
});

describe("Google Cloud authentication", () => {
  it("gives id-token: write to exactly the jobs that authenticate to Google Cloud", () => {
    const jobs = allJobs();
    const authenticating = jobs.filter(({ job }) => (job.steps ?? []).some(isAuthStep));
    expect(authenticating.map(({ file, id }) => `${file}:${id}`).sort()).toEqual([
      "deploy.yml:deploy-dev",
      "deploy.yml:deploy-prod",
      "preview-cleanup.yml:destroy-preview",
      "preview.yml:deploy-preview",
    ]);
    for (const { file, id, job } of jobs) {
      const authenticates = (job.steps ?? []).some(isAuthStep);
      const idToken = job.permissions?.["id-token"];
      expect({ job: `${file}:${id}`, idToken: idToken === "write" }).toEqual({
        job: `${file}:${id}`,
        idToken: authenticates,
      });
    }
  });

  it("authenticates only through Workload Identity Federation, as the job's own environment's deployer", () => {
    const authenticating = allJobs().filter(({ job }) => (job.steps ?? []).some(isAuthStep));
    expect(authenticating.length).toBe(4);
    for (const { file, id, job } of authenticating) {
      for (const step of (job.steps ?? []).filter(isAuthStep)) {
        expect(step.with?.workload_identity_provider).toBe(
          "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
        );
      }
      expect({ job: `${file}:${id}`, violations: deployerMismatches(file, job) }).toEqual({
        job: `${file}:${id}`,
        violations: [],
      });
    }
  });

  it("the deployer check fails on a preview job that deploys as prod, or a prod job without its environment", () => {
    const preview = workflow("preview.yml").jobs["deploy-preview"]!;
    const asProd = JSON.parse(
      JSON.stringify(preview).replace(/GCP_DEPLOYER_PREVIEW/g, "GCP_DEPLOYER_PROD"),
    ) as Job;
    expect(deployerMismatches("preview.yml", asProd)).toEqual([
      "authenticates as ${{ vars.GCP_DEPLOYER_PROD }}, not ${{ vars.GCP_DEPLOYER_PREVIEW }}",
    ]);
    const prod = workflow("deploy.yml").jobs["deploy-prod"]!;
    const noEnvironment = { ...prod, environment: undefined };
    expect(deployerMismatches("deploy.yml", noEnvironment)).toContain(
      "authenticates as ${{ vars.GCP_DEPLOYER_PROD }}, not ${{ vars.GCP_DEPLOYER_PREVIEW }}",
    );
  });

  it("keeps each environment's Pulumi state under its own prefix", () => {
    let checked = 0;
    for (const { file, job } of allJobs()) {
      const expected = `\${{ vars.PULUMI_BACKEND_URL_${deployEnvironmentOfJob(file, job).toUpperCase()} }}`;
      for (const step of (job.steps ?? []).filter(isPulumiStep)) {
        if (step.with?.["cloud-url"] === undefined) continue;
        expect([file, step.with["cloud-url"]]).toEqual([file, expected]);
        checked++;
      }
      // The variable the Pulumi CLI reads (pulumi login, stack ls, stack output in a `run`):
      // the job's own, else the workflow's.
      const steps = job.steps ?? [];
      const fromEnv = job.env?.PULUMI_BACKEND_URL ?? workflow(file).env?.PULUMI_BACKEND_URL;
      if (fromEnv !== undefined) {
        expect([file, fromEnv]).toEqual([file, expected]);
        checked++;
      } else {
        expect([file, steps.filter((s) => /\bpulumi\b/.test(s.run ?? "")).length]).toEqual([
          file,
          0,
        ]);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it("authenticates before any Pulumi command that touches the state bucket", () => {
    for (const { file, id, job } of allJobs()) {
      const steps = job.steps ?? [];
      const firstAuth = steps.findIndex(isAuthStep);
      steps.forEach((step, index) => {
        if (pulumiCommand(step) || /\bpulumi (login|stack)/.test(step.run ?? "")) {
          expect({
            job: `${file}:${id}`,
            step: index,
            authFirst: firstAuth >= 0 && firstAuth < index,
          }).toEqual({
            job: `${file}:${id}`,
            step: index,
            authFirst: true,
          });
        }
      });
    }
  });
});

describe("preview stacks", () => {
  const samples = [1, 7, 42, 123, 98765];

  it.each(["preview.yml", "preview-cleanup.yml"])(
    "%s names the stack with infra's preview-stack rule",
    (file) => {
      const template = workflow(file).env?.PULUMI_STACK;
      expect(template).toBeDefined();
      for (const n of samples) {
        const name = evaluateStackExpression(template!, n);
        expect(name).toBe(previewStackName(n));
        expect(isPreviewStack(name)).toBe(true);
      }
    },
  );

  it("the stack-name evaluator refuses expressions it does not know", () => {
    expect(() => evaluateStackExpression("pr-${{ github.run_id }}", 1)).toThrow("github.run_id");
  });

  it.each(["preview.yml", "preview-cleanup.yml"])(
    "%s passes that one name to every Pulumi step and script",
    (file) => {
      for (const job of Object.values(workflow(file).jobs)) {
        for (const step of job.steps ?? []) {
          if (pulumiCommand(step))
            expect(step.with?.["stack-name"]).toBe("${{ env.PULUMI_STACK }}");
          // No step rebuilds the name on its own.
          expect(step.run ?? "").not.toMatch(/pr-\$/);
        }
      }
    },
  );

  it("preview and cleanup share one lock per pull request, so a destroy waits for an update", () => {
    const group = (file: string) =>
      Object.values(workflow(file).jobs).map((job) => job.concurrency?.group);
    expect(group("preview.yml")).toEqual(["pulumi-pr-${{ github.event.number }}"]);
    expect(group("preview-cleanup.yml")).toEqual(group("preview.yml"));
  });

  it("deploys on opened, synchronize and reopened, and destroys on closed", () => {
    expect(workflow("preview.yml").on).toEqual({
      pull_request: { types: ["opened", "synchronize", "reopened"] },
    });
    expect(workflow("preview-cleanup.yml").on).toEqual({ pull_request: { types: ["closed"] } });
  });

  it("creates the stack if missing, with the GCS backend and the KMS secrets provider", () => {
    const up = Object.values(workflow("preview.yml").jobs)
      .flatMap((job) => job.steps ?? [])
      .find((step) => pulumiCommand(step) === "up");
    expect(up?.with).toMatchObject({
      upsert: true,
      "cloud-url": "${{ vars.PULUMI_BACKEND_URL_PREVIEW }}",
      "secrets-provider": "${{ vars.PULUMI_SECRETS_PROVIDER }}",
    });
  });

  it("comments the outputs, then smoke-tests the stack by running its nightly workflow", () => {
    const steps = Object.values(workflow("preview.yml").jobs).flatMap((job) => job.steps ?? []);
    const index = (predicate: (s: Step) => boolean) => steps.findIndex(predicate);
    const up = index((s) => pulumiCommand(s) === "up");
    const comment = index((s) => (s.run ?? "").includes("preview-comment.sh post"));
    const smoke = index((s) => (s.run ?? "").includes("smoke-preview.sh"));
    expect(up).toBeGreaterThan(0);
    expect([up < comment, comment < smoke]).toEqual([true, true]);
    // The workflow calls the functions with its own identity: no ID token is minted here.
    expect(steps.filter((s) => s.with?.token_format === "id_token")).toEqual([]);
  });

  it("cleanup destroys and removes the stack only when it still exists", () => {
    const steps = Object.values(workflow("preview-cleanup.yml").jobs).flatMap(
      (job) => job.steps ?? [],
    );
    const destroy = steps.find((s) => pulumiCommand(s) === "destroy");
    expect(destroy?.with?.remove).toBe(true);
    // Resources already gone are dropped from the state first, so a drifted stack still goes.
    expect(destroy?.with?.refresh).toBe(true);
    expect(destroy && (destroy as { if?: string }).if).toBe("steps.stack.outputs.exists == 'true'");
    const check = steps.find((s) => (s as { id?: string }).id === "stack");
    expect(check?.run).toContain("pulumi stack ls --json");
  });
});

describe("deploys", () => {
  const deploy = () => workflow("deploy.yml");
  const stackOf = (job: Job) =>
    (job.steps ?? []).map((s) => s.with?.["stack-name"]).find((name) => name !== undefined);

  it("every job that changes a stack holds a lock for that stack and never cancels a run", () => {
    for (const { file, id, job } of allJobs()) {
      const changes = (job.steps ?? []).some((s) => CHANGES_STACK.has(pulumiCommand(s) ?? ""));
      if (!changes) continue;
      const stack = String(stackOf(job));
      const expectedGroup = stack.includes("env.PULUMI_STACK")
        ? "pulumi-pr-${{ github.event.number }}"
        : `pulumi-${stack}`;
      expect({ job: `${file}:${id}`, concurrency: job.concurrency }).toEqual({
        job: `${file}:${id}`,
        concurrency: { group: expectedGroup, "cancel-in-progress": false },
      });
    }
  });

  it("deploys dev from main and prod from a release tag or a manual dispatch", () => {
    const on = deploy().on as { push: { branches: string[]; tags: string[] } };
    expect(on.push.branches).toEqual(["main"]);
    expect(on.push.tags).toEqual(["v[0-9]+.[0-9]+.[0-9]+"]);
    expect(Object.keys(on)).toContain("workflow_dispatch");
    const jobs = deploy().jobs;
    expect(stackOf(jobs["deploy-dev"]!)).toBe("dev");
    expect(jobs["deploy-dev"]!.if).toBe(
      "github.event_name == 'push' && github.ref == 'refs/heads/main'",
    );
    expect(stackOf(jobs["deploy-prod"]!)).toBe("prod");
    expect(jobs["deploy-prod"]!.if).toContain("startsWith(github.ref, 'refs/tags/v')");
    expect(jobs["deploy-prod"]!.if).toContain("github.event_name == 'workflow_dispatch'");
  });

  it("prod runs only in the prod environment (where required reviewers are set)", () => {
    for (const { file, id, job } of allJobs()) {
      if (stackOf(job) !== "prod") continue;
      const environment =
        typeof job.environment === "string" ? job.environment : job.environment?.name;
      expect({ job: `${file}:${id}`, environment }).toEqual({
        job: `${file}:${id}`,
        environment: "prod",
      });
    }
  });

  it("runs the tests, installs dependencies and runs pulumi preview before pulumi up", () => {
    for (const id of ["deploy-dev", "deploy-prod"]) {
      const job = deploy().jobs[id]!;
      expect(job.needs).toBe("test");
      const steps = job.steps ?? [];
      const npmCi = steps.findIndex((s) => /^npm ci\b/.test(s.run ?? ""));
      const preview = steps.findIndex((s) => pulumiCommand(s) === "preview");
      const up = steps.findIndex((s) => pulumiCommand(s) === "up");
      expect({ id, order: npmCi >= 0 && npmCi < preview && preview < up }).toEqual({
        id,
        order: true,
      });
      expect(steps[preview]?.with?.["stack-name"]).toBe(steps[up]?.with?.["stack-name"]);
    }
    expect(deploy().jobs.test?.uses).toBe("./.github/workflows/ci.yml");
  });

  it("installs dependencies before every Pulumi command that runs the program or its plugins", () => {
    for (const { file, id, job } of allJobs()) {
      const steps = job.steps ?? [];
      const npmCi = steps.findIndex((s) => /^npm ci\b/.test(s.run ?? ""));
      steps.forEach((step, index) => {
        // destroy loads the provider plugins too (https://github.com/pulumi/actions/issues/487).
        if (["up", "preview", "destroy"].includes(pulumiCommand(step) ?? "")) {
          expect({ job: `${file}:${id}`, installedFirst: npmCi >= 0 && npmCi < index }).toEqual({
            job: `${file}:${id}`,
            installedFirst: true,
          });
        }
      });
    }
  });
});

describe("CI", () => {
  it("runs on push and pull request and can be called by the deploy workflow", () => {
    expect(Object.keys(workflow("ci.yml").on).sort()).toEqual([
      "pull_request",
      "push",
      "workflow_call",
    ]);
  });

  it("installs from the lock file, lints, validates every workflow and runs npm test", () => {
    const runs = Object.values(workflow("ci.yml").jobs)
      .flatMap((job) => job.steps ?? [])
      .map((s) => s.run ?? "")
      .filter((run) => run !== "");
    const at = (pattern: RegExp) => runs.findIndex((run) => pattern.test(run));
    const order = [/^npm ci\b/, /^npm run lint$/, /action-validator/, /^npm test$/].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(runs[at(/action-validator/)]).toContain(".github/workflows/*.yml");
  });
});

describe("preview-comment.sh", () => {
  const script = join(ROOT, ".github", "scripts", "preview-comment.sh");

  it("renders the Looker Studio link of every mart and all outputs under a marker", () => {
    const dir = mkdtempSync(join(tmpdir(), "comment-"));
    try {
      const outputs = join(dir, "outputs.json");
      writeFileSync(
        outputs,
        JSON.stringify({
          lookerStudioUrls: {
            dm_kpi_daily:
              "https://lookerstudio.google.com/reporting/create?ds.ds0.tableId=dm_kpi_daily",
            dm_funnel: "https://lookerstudio.google.com/reporting/create?ds.ds0.tableId=dm_funnel",
          },
          datasetIds: { marts: "marts_pr_7" },
        }),
      );
      const result = spawnSync(script, ["render"], {
        encoding: "utf8",
        env: { ...process.env, OUTPUTS_FILE: outputs, PULUMI_STACK: "pr-7", HEAD_SHA: "abc123" },
      });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const lines = result.stdout.split("\n");
      expect(lines[0]).toBe("<!-- preview-stack-outputs -->");
      expect(result.stdout).toContain("### Preview stack `pr-7`");
      expect(lines).toContain(
        "- [dm_kpi_daily](https://lookerstudio.google.com/reporting/create?ds.ds0.tableId=dm_kpi_daily)",
      );
      expect(lines).toContain(
        "- [dm_funnel](https://lookerstudio.google.com/reporting/create?ds.ds0.tableId=dm_funnel)",
      );
      expect(result.stdout).toContain('"marts": "marts_pr_7"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("smoke-preview.sh", () => {
  const script = join(ROOT, ".github", "scripts", "smoke-preview.sh");

  /**
   * Stand-ins for `gcloud` and `bq` that log each call and answer like the real tools: the
   * execution's state, each mart's row count and the run records come from the test, so a failed
   * run, an empty mart and a missing record can be planted.
   */
  function runSmoke(options: {
    state?: string;
    rows: Record<string, number>;
    records?: { run_id: string; status: string }[];
    result?: string;
  }) {
    const dir = mkdtempSync(join(tmpdir(), "smoke-"));
    const bin = join(dir, "bin");
    const log = join(dir, "calls.log");
    spawnSync("mkdir", [bin]);
    const execution = {
      name: "projects/p/locations/europe-west1/workflows/nightly-pr-7/executions/exec-1",
      state: options.state ?? "SUCCEEDED",
      result: options.result ?? JSON.stringify({ status: "succeeded" }),
      error: options.state === "FAILED" ? { payload: "check:funnel_step_order failed" } : undefined,
    };
    writeFileSync(
      join(bin, "gcloud"),
      `#!/usr/bin/env bash\necho "gcloud $*" >> "${log}"\ncat <<'JSON'\n${JSON.stringify(execution)}\nJSON\n`,
    );
    writeFileSync(
      join(bin, "bq"),
      `#!/usr/bin/env bash
echo "bq $*" >> "${log}"
args="$*"
case "$args" in
  "show "*)
    case "$args" in
${Object.entries(options.rows)
  .map(([t, n]) => `      *".${t}") echo '{"numRows":"${n}"}' ;;`)
  .join("\n")}
      *) echo "Not found" >&2; exit 2 ;;
    esac ;;
  "head "*) echo '${JSON.stringify(options.records ?? [{ run_id: "exec-1", status: "succeeded" }])}' ;;
esac
`,
    );
    chmodSync(join(bin, "gcloud"), 0o755);
    chmodSync(join(bin, "bq"), 0o755);
    const outputs = join(dir, "outputs.json");
    writeFileSync(
      outputs,
      JSON.stringify({
        workflows: { nightly: "nightly-pr-7", backfill: "backfill-pr-7" },
        workflowRegion: "europe-west1",
        worldStart: "2024-01-01",
        datasets: { raw: "raw_pr_7", marts: "marts_pr_7", snapshots: "snapshots_pr_7" },
        scheduledQueryNames: {
          dm_kpi_daily: "projects/1/locations/US/transferConfigs/aaa",
          dm_funnel_daily: "projects/1/locations/US/transferConfigs/bbb",
        },
      }),
    );
    const result = spawnSync(script, [], {
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        OUTPUTS_FILE: outputs,
        GCP_PROJECT_ID: "my-proj-123",
      },
    });
    const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
    rmSync(dir, { recursive: true, force: true });
    return { ...result, calls };
  }

  it("runs the nightly workflow through the world's third day, then finds rows in every mart and a succeeded run record", () => {
    const result = runSmoke({ rows: { dm_kpi_daily: 3, dm_funnel_daily: 40 } });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.calls[0]).toBe(
      'gcloud workflows run nightly-pr-7 --location=europe-west1 --project=my-proj-123 --data={"lastDay":"2024-01-03"} --format=json',
    );
    expect(result.calls.filter((c) => c.startsWith("bq show"))).toHaveLength(2);
    expect(result.stdout).toContain("2 marts refreshed by the nightly workflow, none empty");
  });

  it("fails when the execution fails, with the workflow's error", () => {
    const result = runSmoke({ state: "FAILED", rows: { dm_kpi_daily: 3, dm_funnel_daily: 40 } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("exec-1 ended FAILED");
    expect(result.stderr).toContain("check:funnel_step_order");
  });

  it("fails naming an empty or missing mart", () => {
    const empty = runSmoke({ rows: { dm_kpi_daily: 3, dm_funnel_daily: 0 } });
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toContain("empty or missing marts: marts_pr_7.dm_funnel_daily");
    const missing = runSmoke({ rows: { dm_funnel_daily: 5 } });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("empty or missing marts: marts_pr_7.dm_kpi_daily");
  });

  it("fails when the execution left no succeeded run record", () => {
    const result = runSmoke({
      rows: { dm_kpi_daily: 3, dm_funnel_daily: 40 },
      records: [{ run_id: "other", status: "succeeded" }],
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("no run record for execution exec-1");
  });
});
