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
import { isPreviewStack, previewStackName } from "../infra/stackName";

const ROOT = resolve(__dirname, "..");
const WORKFLOW_DIR = join(ROOT, ".github", "workflows");
const VALIDATOR = join(ROOT, "node_modules", ".bin", "action-validator");

type Step = { uses?: string; run?: string; name?: string; with?: Record<string, unknown> };
type Job = {
  uses?: string;
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

  it("authenticates only through Workload Identity Federation as the deployer", () => {
    for (const { job } of allJobs()) {
      for (const step of (job.steps ?? []).filter(isAuthStep)) {
        expect(step.with?.workload_identity_provider).toBe(
          "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
        );
        expect(step.with?.service_account).toBe("${{ vars.GCP_DEPLOYER_SERVICE_ACCOUNT }}");
      }
    }
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
      "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
      "secrets-provider": "${{ vars.PULUMI_SECRETS_PROVIDER }}",
    });
  });

  it("comments the outputs, then smoke-tests generateData and the marts after the update", () => {
    const steps = Object.values(workflow("preview.yml").jobs).flatMap((job) => job.steps ?? []);
    const index = (predicate: (s: Step) => boolean) => steps.findIndex(predicate);
    const up = index((s) => pulumiCommand(s) === "up");
    const comment = index((s) => (s.run ?? "").includes("preview-comment.sh post"));
    const idToken = index((s) => isAuthStep(s) && s.with?.token_format === "id_token");
    const smoke = index((s) => (s.run ?? "").includes("smoke-preview.sh"));
    expect(up).toBeGreaterThan(0);
    expect([up < comment, comment < idToken, idToken < smoke]).toEqual([true, true, true]);
    const audiences = steps
      .filter((s) => s.with?.token_format === "id_token")
      .map((s) => s.with?.id_token_audience);
    expect(audiences).toEqual([
      "${{ steps.outputs.outputs.generate-data-url }}",
      "${{ steps.outputs.outputs.refresh-rfm-snapshot-url }}",
    ]);
  });

  it("cleanup destroys and removes the stack only when it still exists", () => {
    const steps = Object.values(workflow("preview-cleanup.yml").jobs).flatMap(
      (job) => job.steps ?? [],
    );
    const destroy = steps.find((s) => pulumiCommand(s) === "destroy");
    expect(destroy?.with?.remove).toBe(true);
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

  it("installs dependencies before every Pulumi command that runs the program", () => {
    for (const { file, id, job } of allJobs()) {
      const steps = job.steps ?? [];
      const npmCi = steps.findIndex((s) => /^npm ci\b/.test(s.run ?? ""));
      steps.forEach((step, index) => {
        if (["up", "preview"].includes(pulumiCommand(step) ?? "")) {
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
  const configs = [
    "projects/1/locations/US/transferConfigs/aaa",
    "projects/1/locations/US/transferConfigs/bbb",
  ];

  /**
   * Stand-ins for `bq` and `curl` that log each call and answer like the real tools; the mart
   * row counts come from the test so an empty mart can be planted.
   */
  function runSmoke(rowCounts: Record<string, number>, runState = "SUCCEEDED") {
    const dir = mkdtempSync(join(tmpdir(), "smoke-"));
    const bin = join(dir, "bin");
    const log = join(dir, "calls.log");
    spawnSync("mkdir", [bin]);
    const tables: Record<string, string> = { aaa: "dm_kpi_daily${run_date}", bbb: "dm_funnel" };
    writeFileSync(
      join(bin, "bq"),
      `#!/usr/bin/env bash
echo "bq $*" >> "${log}"
args="$*"
case "$args" in
  *"--transfer_config"*)
    id="\${args##*/}"
    case "$id" in
      aaa) echo '{"destinationDatasetId":"marts_pr_7","params":{"destination_table_name_template":"${tables.aaa}"}}' ;;
      bbb) echo '{"destinationDatasetId":"marts_pr_7","params":{"destination_table_name_template":"${tables.bbb}"}}' ;;
    esac ;;
  "mk "*) echo "Transfer run created" ;;
  "ls "*)
    rt="$(sed -n 's/.*run_time=\\([^ ]*\\).*/\\1/p' "${log}" | tail -n 1)"
    echo "[{\\"runTime\\": \\"\${rt%Z}.000Z\\", \\"state\\": \\"${runState}\\"}]" ;;
  "query "*)
    for t in ${Object.keys(rowCounts).join(" ")}; do
      case "$args" in *"table_id = '$t'"*)
        case "$t" in
${Object.entries(rowCounts)
  .map(([t, n]) => `          ${t}) echo '[{"row_count":"${n}"}]' ;;`)
  .join("\n")}
        esac ;;
      esac
    done ;;
esac
`,
    );
    writeFileSync(
      join(bin, "curl"),
      `#!/usr/bin/env bash\necho "curl $*" >> "${log}"\necho '{"rows":{"users":300}}'\n`,
    );
    chmodSync(join(bin, "bq"), 0o755);
    chmodSync(join(bin, "curl"), 0o755);
    const outputs = join(dir, "outputs.json");
    writeFileSync(
      outputs,
      JSON.stringify({
        functionUrls: {
          generateData: "https://generatedata-pr-7.a.run.app",
          refreshRfmSnapshot: "https://refreshrfmsnapshot-pr-7.a.run.app",
        },
        // Listed out of order: the run times decide (dm_funnel reads dm_kpi_daily, say).
        scheduledQueryNames: { dm_funnel: configs[1], dm_kpi_daily: configs[0] },
        scheduledQueryRunTimes: { dm_funnel: "03:15", dm_kpi_daily: "03:00" },
      }),
    );
    const result = spawnSync(script, [], {
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        OUTPUTS_FILE: outputs,
        GENERATE_ID_TOKEN: "generate-token",
        REFRESH_ID_TOKEN: "refresh-token",
        GCP_PROJECT_ID: "my-proj-123",
        SMOKE_POLL_SECONDS: "0",
      },
    });
    if (!existsSync(log)) throw new Error(`no calls logged; stderr: ${result.stderr}`);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    rmSync(dir, { recursive: true, force: true });
    return { ...result, calls };
  }

  it("generates a few days, snapshots RFM, runs the scheduled queries in run-time order, and passes when every mart has rows", () => {
    const result = runSmoke({ dm_kpi_daily: 12, dm_funnel: 40 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const curls = result.calls.filter((c) => c.startsWith("curl "));
    expect(curls).toHaveLength(2);
    expect(curls[0]).toContain("Authorization: Bearer generate-token");
    expect(curls[0]).toMatch(/https:\/\/generatedata-pr-7\.a\.run\.app$/);
    expect(curls[0]).toMatch(
      /"startDate":"\d{4}-\d{2}-\d{2}","endDate":"\d{4}-\d{2}-\d{2}","users":300/,
    );
    expect(curls[1]).toContain("Authorization: Bearer refresh-token");
    expect(curls[1]).toMatch(/https:\/\/refreshrfmsnapshot-pr-7\.a\.run\.app$/);
    const started = result.calls.filter((c) => c.startsWith("bq mk --transfer_run"));
    expect(started.map((c) => c.split(" ").pop())).toEqual(configs);
    expect(result.calls.indexOf(curls[1]!)).toBeLessThan(result.calls.indexOf(started[0]!));
    expect(result.stdout).toContain("2 marts refreshed, none empty");
  });

  it("fails naming the empty mart", () => {
    const result = runSmoke({ dm_kpi_daily: 12, dm_funnel: 0 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("empty or missing marts: marts_pr_7.dm_funnel");
  });

  it("fails naming a mart whose table is missing", () => {
    const result = runSmoke({ dm_funnel: 5 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("empty or missing marts: marts_pr_7.dm_kpi_daily");
  });

  it("fails when a scheduled query run fails", () => {
    const result = runSmoke({ dm_kpi_daily: 12, dm_funnel: 40 }, "FAILED");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${configs[0]} run FAILED`);
  });
});
