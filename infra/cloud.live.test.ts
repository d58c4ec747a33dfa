/**
 * The live suite for what only a real project can show about the cloud chain: the scheduled
 * queries have no schedule of their own, the nightly workflow runs the chain end to end and
 * records it, `startManualRuns` gives a mart the data day as `@run_date`, a failing check's job
 * fails with its name, the load metric behind the missing-day alert receives BigQuery's audit
 * entries, and (optionally) the preview deployer cannot read another environment's data.
 *
 * Opt-in, against a deployed dev or preview stack (never prod: it runs the nightly workflow):
 *
 *   pulumi stack output --json --stack dev > dev-outputs.json
 *   LIVE_STACK_OUTPUTS=dev-outputs.json npm run test:live -- infra/cloud.live.test.ts
 *
 * with `gcloud` and `bq` on the PATH, signed in as someone who may run the stack's workflows and
 * read its datasets. Add LIVE_PREVIEW_DEPLOYER=deploy-preview@<project>.iam.gserviceaccount.com
 * (and the right to impersonate it; curl on the PATH) to check that account is refused another
 * stack's bucket and dataset. Without LIVE_STACK_OUTPUTS or gcloud every test is skipped and the reason is printed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { tableWriteFilter } from "./components/monitoring";

interface Outputs {
  project: string;
  datasets: { raw: string; marts: string; snapshots: string };
  lakeBucket: string;
  workflows: { nightly: string; backfill: string };
  workflowRegion: string;
  worldStart: string;
  scheduledQueryNames: Record<string, string>;
}

function run(
  command: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 3 * 3600 * 1000 });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

function skipReason(): string | null {
  const file = process.env.LIVE_STACK_OUTPUTS;
  if (!file)
    return "set LIVE_STACK_OUTPUTS to a `pulumi stack output --json` file of a dev or preview stack";
  if (!existsSync(file)) return `${file} does not exist`;
  if (run("gcloud", ["--version"]).status !== 0) return "gcloud is not on the PATH";
  if (run("bq", ["version"]).status !== 0) return "bq is not on the PATH";
  return null;
}

const reason = skipReason();
const live = reason === null ? describe : describe.skip;
if (reason !== null)
  console.log(`Live cloud-chain suite skipped: ${reason}. See infra/cloud.live.test.ts.`);

const outputs = (): Outputs =>
  JSON.parse(readFileSync(process.env.LIVE_STACK_OUTPUTS!, "utf8")) as Outputs;

function bqJson<T>(args: string[]): T {
  const o = outputs();
  const result = run("bq", ["--format=json", `--project_id=${o.project}`, ...args]);
  if (result.status !== 0)
    throw new Error(`bq ${args.join(" ")}: ${result.stderr || result.stdout}`);
  return JSON.parse(result.stdout) as T;
}

live("live: the nightly chain on a real project", () => {
  jest.setTimeout(3 * 3600 * 1000);

  it("keeps every scheduled query without a schedule of its own", () => {
    for (const name of Object.values(outputs().scheduledQueryNames)) {
      const config = bqJson<{ scheduleOptions?: { disableAutoScheduling?: boolean } }>([
        "show",
        "--transfer_config",
        name,
      ]);
      expect({ name, disabled: config.scheduleOptions?.disableAutoScheduling }).toEqual({
        name,
        disabled: true,
      });
    }
  });

  it("a check job fails on a violation, with the check's name and the day in its error", () => {
    const o = outputs();
    const result = run("bq", [
      `--project_id=${o.project}`,
      "query",
      "--nouse_legacy_sql",
      "--parameter=run_date:DATE:2024-01-03",
      "select if(count(*) = 0, 'ok', error(concat('data-quality check planted failed for data day ', cast(@run_date as string)))) as verdict from (select 1 as x) as violations",
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr + result.stdout).toContain(
      "data-quality check planted failed for data day 2024-01-03",
    );
  });

  it("runs the nightly workflow for the world's first days, records the run, and fills the data day's partition", () => {
    const o = outputs();
    const lastDay = new Date(Date.parse(`${o.worldStart}T00:00:00Z`) + 2 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const result = run("gcloud", [
      "workflows",
      "run",
      o.workflows.nightly,
      `--location=${o.workflowRegion}`,
      `--project=${o.project}`,
      `--data={"lastDay":"${lastDay}"}`,
      "--format=json",
    ]);
    expect(result.status).toBe(0);
    const execution = JSON.parse(result.stdout) as { name: string; state: string; error?: unknown };
    expect({ state: execution.state, error: execution.error }).toEqual({
      state: "SUCCEEDED",
      error: undefined,
    });
    // The partition a per-date mart wrote is the data day: @run_date is requestedRunTime's date.
    const partitions = bqJson<{ partition_id: string }[]>([
      "query",
      "--nouse_legacy_sql",
      `select partition_id from \`${o.project}.${o.datasets.marts}.INFORMATION_SCHEMA.PARTITIONS\` where table_name = 'dm_kpi_daily'`,
    ]);
    expect(partitions.map((p) => p.partition_id)).toContain(lastDay.replace(/-/g, ""));
    const records = bqJson<{ run_kind: string; status: string; data_through: string }[]>([
      "query",
      "--nouse_legacy_sql",
      `select run_kind, status, cast(data_through as string) as data_through from \`${o.project}.${o.datasets.snapshots}.pipeline_runs\` where run_kind = 'nightly' order by started_at desc limit 1`,
    ]);
    expect(records[0]).toMatchObject({ run_kind: "nightly", status: "succeeded" });
    expect(records[0]!.data_through >= lastDay).toBe(true);
  });

  it("writes the audit entries the missing-day alert's metric counts", () => {
    const o = outputs();
    const result = run("gcloud", [
      "logging",
      "read",
      tableWriteFilter(o.project, o.datasets.raw, "events"),
      `--project=${o.project}`,
      "--freshness=3d",
      "--limit=1",
      "--format=json",
    ]);
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as unknown[]).length).toBe(1);
  });

  const previewDeployer = process.env.LIVE_PREVIEW_DEPLOYER;
  (previewDeployer ? it : it.skip)(
    "the preview deployer is refused this stack's lake and raw dataset",
    () => {
      const o = outputs();
      const impersonate = `--impersonate-service-account=${previewDeployer}`;
      const lake = run("gcloud", ["storage", "ls", `gs://${o.lakeBucket}`, impersonate]);
      expect(lake.status).not.toBe(0);
      expect(lake.stderr).toMatch(/403|denied|does not have/i);
      const token = run("gcloud", ["auth", "print-access-token", impersonate]).stdout.trim();
      const dataset = run("curl", [
        "--silent",
        "--output",
        "/dev/null",
        "--write-out",
        "%{http_code}",
        "--header",
        `Authorization: Bearer ${token}`,
        `https://bigquery.googleapis.com/bigquery/v2/projects/${o.project}/datasets/${o.datasets.raw}`,
      ]);
      expect(dataset.stdout).toBe("403");
    },
  );
});
