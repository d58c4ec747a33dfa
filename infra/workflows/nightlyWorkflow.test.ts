import { parse as parseYaml } from "yaml";
import { nightlyChain, type ChainStep } from "../../functions/src/chain/nightlyChain";
import { listChecks } from "../../functions/src/checks";
import { martDependencies } from "../../functions/src/marts/catalog";
import { nightlyWorkflow, type NightlyWorkflowArgs } from "./nightlyWorkflow";
import { chainArgs, SCHEDULED } from "./testing/chainArgs";
import { WORKFLOW_SOURCE_LIMIT_BYTES, workflowSource } from "./steps";
import { callsOf, chainOrderOf, stepsOf, type Definition } from "./testing/workflowSteps";

const scheduled = SCHEDULED;

export function nightlyArgs(overrides: Partial<NightlyWorkflowArgs> = {}): NightlyWorkflowArgs {
  return { ...chainArgs(), maxCatchUpDays: 7, ...overrides };
}

const source = workflowSource(nightlyWorkflow(nightlyArgs()));
const definition = JSON.parse(source) as Definition;
const main = stepsOf(definition.main!.steps);
const runDay = stepsOf(definition.run_day!.steps);
const runCheck = stepsOf(definition.run_check!.steps);
const runMart = stepsOf(definition.run_mart!.steps);

describe("the nightly workflow source", () => {
  it("parses as JSON and as YAML (Workflows reads both) to the same definition", () => {
    expect(parseYaml(source)).toEqual(definition);
    expect(Object.keys(definition)).toEqual([
      "main",
      "run_day",
      "run_check",
      "run_mart",
      "record_run",
    ]);
  });

  it("fits Workflows' source size limit with room to grow", () => {
    const bytes = Buffer.byteLength(source);
    expect(bytes).toBeLessThan(WORKFLOW_SOURCE_LIMIT_BYTES * 0.8);
  });

  it("names every step with letters, digits and underscores only, each name once per subworkflow", () => {
    for (const sub of Object.values(definition)) {
      const names = stepsOf(sub.steps).map((s) => s.name);
      for (const name of names) expect(name).toMatch(/^[A-Za-z_]\w*$/);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});

describe("the nightly workflow's day", () => {
  const order = chainOrderOf(runDay);

  it("runs the chain's steps in the chain's order: the local runner's order is the workflow's", () => {
    const expected = nightlyChain()
      .filter((s) => s.kind !== "record")
      .map((s: ChainStep) =>
        s.kind === "check" || s.kind === "mart" ? `${s.kind}:${s.name}` : s.kind,
      );
    expect(order).toEqual(expected);
  });

  it("runs every data-quality check exactly once", () => {
    const checks = order.filter((s) => s.startsWith("check:")).map((s) => s.slice(6));
    expect(checks.sort()).toEqual(
      listChecks()
        .map((c) => c.name)
        .sort(),
    );
  });

  it("starts every scheduled mart exactly once, each after the marts it reads", () => {
    const marts = order.filter((s) => s.startsWith("mart:")).map((s) => s.slice(5));
    expect([...marts].sort()).toEqual(scheduled.map((m) => m.name).sort());
    const at = (name: string) =>
      name === "rfm_daily" || name === "rfm_segment_map"
        ? order.indexOf("snapshot")
        : order.indexOf(`mart:${name}`);
    let dependencies = 0;
    for (const decl of scheduled) {
      for (const dep of martDependencies(decl)) {
        expect({ mart: decl.name, dep, after: at(dep) < at(decl.name) }).toEqual({
          mart: decl.name,
          dep,
          after: true,
        });
        dependencies += 1;
      }
    }
    expect(dependencies).toBeGreaterThan(0);
  });

  it("stops at the first violating check: each check's job fails on a violation and is raised", () => {
    const calls = callsOf(runDay).filter((c) => c.call === "run_check");
    expect(calls).toHaveLength(listChecks().length);
    for (const check of listChecks()) {
      const call = calls.find((c) => c.step === `check_${check.name}_run`)!;
      expect(call.args.sql).toContain(`'data-quality check ${check.name} failed for data day '`);
      expect(call.args.sql).toContain("error(");
    }
    expect(callsOf(runCheck).map((c) => c.call)).toEqual(["googleapis.bigquery.v2.jobs.insert"]);
    const failed = runCheck.find((s) => s.name === "check_failed")!;
    expect(failed.body.switch[0].condition).toBe('${"errorResult" in check_job.status}');
  });

  it("gives generateData, every check, every mart's run, refreshRfmSnapshot and refreshClvSnapshot the same data day", () => {
    const calls = callsOf(runDay);
    const http = (prefix: string) =>
      calls.filter((c) => c.call === "http.post" && c.step.startsWith(prefix)).map((c) => c.args);
    expect(http("generate").map((a) => a.body)).toEqual([{ date: "${day}" }]);
    expect(http("snapshot").map((a) => a.body)).toEqual([{ snapshotDate: "${day}" }]);
    expect(http("clv").map((a) => [a.url, a.body])).toEqual([
      [chainArgs().functionUrls.refreshClvSnapshot, { snapshotDate: "${day}" }],
    ]);
    const checks = calls.filter((c) => c.call === "run_check");
    const marts = calls.filter((c) => c.call === "run_mart");
    expect(checks).toHaveLength(listChecks().length);
    expect(marts).toHaveLength(scheduled.length);
    for (const c of [...checks, ...marts]) expect(c.args.day).toBe("${day}");
    // Inside the subworkflows, the day reaches BigQuery and the Data Transfer Service unchanged.
    const checkJob = callsOf(runCheck)[0]!;
    expect(checkJob.args.body.configuration.query.queryParameters).toEqual([
      { name: "run_date", parameterType: { type: "DATE" }, parameterValue: { value: "${day}" } },
    ]);
    const start = callsOf(runMart).find((c) => c.call.endsWith("startManualRuns"))!;
    expect(start.args.body).toEqual({ requestedRunTime: '${day + "T12:00:00Z"}' });
    // The one place the day is set: the day loop, once per iteration, passed to run_day.
    expect(definition.run_day!.params).toEqual(["day"]);
    const loop = callsOf(main).filter((c) => c.call === "run_day");
    expect(loop.map((c) => Object.keys(c.args))).toEqual([["day"]]);
  });

  it("binds @run_date in a mart's dry run exactly when its SQL reads it", () => {
    const usesRunDate = new Set(nightlyArgs().martsUsingRunDate);
    expect(usesRunDate.has("dm_kpi_daily")).toBe(true);
    for (const call of callsOf(runDay).filter((c) => c.call === "run_mart"))
      expect([call.args.name, call.args.bind_run_date]).toEqual([
        call.args.name,
        usesRunDate.has(call.args.name),
      ]);
    const dated = runMart.find((s) => s.name === "mart_estimate_dated")!;
    const plain = runMart.find((s) => s.name === "mart_estimate_plain")!;
    expect(dated.body.args.body.queryParameters).toHaveLength(1);
    expect(plain.body.args.body.queryParameters).toBeUndefined();
    for (const s of [dated, plain]) expect(s.body.args.body.dryRun).toBe(true);
  });

  it("refuses a mart whose dry run bills more than maximumBytesBilled, and caps every check job", () => {
    expect(JSON.stringify(runMart)).toContain("int(estimate.totalBytesProcessed) > 3221225472");
    expect(callsOf(runCheck)[0]!.args.body.configuration.query.maximumBytesBilled).toBe(
      "3221225472",
    );
  });

  it("fails a mart's step unless its transfer run SUCCEEDED", () => {
    const verdict = runMart.find((s) => s.name === "mart_succeeded")!;
    expect(verdict.body.switch[0].condition).toBe('${transfer_run.state != "SUCCEEDED"}');
    expect(callsOf(runMart).map((c) => c.call.split(".").slice(-2).join("."))).toEqual([
      "transferConfigs.get",
      "jobs.query",
      "jobs.query",
      "transferConfigs.startManualRuns",
      "runs.get",
    ]);
  });

  it("names the failing step and re-raises it, so main can record it", () => {
    const chain = runDay.find((s) => s.name === "day_chain")!;
    expect(chain.body.except).toEqual({
      as: "e",
      steps: [{ day_failed: { raise: { step: "${step}", day: "${day}", error: "${e}" } } }],
    });
  });
});

describe("the nightly workflow's main", () => {
  const text = JSON.stringify(definition.main);

  it("catches up from the manifest's data_through + 1, or the world's first day, to yesterday", () => {
    expect(text).toContain("world_manifest");
    expect(text).toContain('"first_day":"${world_start}"');
    expect(text).toContain('"world_start":"2024-01-01"');
    expect(main.map((s) => s.name)).toEqual(
      expect.arrayContaining(["read_manifest", "first_missing_day", "cap_catch_up", "run_days"]),
    );
  });

  it("refuses more missing days than maxCatchUpDays, pointing at the backfill", () => {
    const cap = main.find((s) => s.name === "cap_catch_up")!;
    expect(JSON.stringify(cap.body)).toContain("day_count > max_catch_up_days");
    expect(JSON.stringify(cap.body)).toContain("run the backfill workflow");
    expect(text).toContain('"max_catch_up_days":7');
  });

  it("writes one run record, nightly, succeeded or failed with the failing step", () => {
    const records = callsOf(main).filter((c) => c.call === "record_run");
    expect(records.map((r) => [r.args.run_kind, r.args.status])).toEqual([
      ["nightly", "failed"],
      ["nightly", "succeeded"],
    ]);
    expect(records[0]!.args.failed_step).toBe('${default(map.get(e, "step"), step)}');
    const insert = JSON.stringify(definition.record_run);
    expect(insert).toContain("insert into snapshots_dev.pipeline_runs");
  });
});

describe("a chain the workflow cannot run", () => {
  it("is refused when a check has no SQL", () => {
    expect(() => nightlyWorkflow(nightlyArgs({ checks: [] }))).toThrow(/has no SQL/);
  });

  it("is refused when a mart has no scheduled query", () => {
    expect(() => nightlyWorkflow(nightlyArgs({ martConfigNames: {} }))).toThrow(
      /has no scheduled query/,
    );
  });

  it("follows the chain it is given: a reordered chain gives a reordered workflow", () => {
    const chain = nightlyChain();
    const swapped = [...chain];
    const a = swapped.findIndex((s) => s.kind === "mart");
    const b = swapped.length - 2;
    [swapped[a], swapped[b]] = [swapped[b]!, swapped[a]!];
    const other = JSON.parse(workflowSource(nightlyWorkflow(nightlyArgs({ chain: swapped }))));
    expect(chainOrderOf(stepsOf(other.run_day.steps))).not.toEqual(chainOrderOf(runDay));
  });
});
