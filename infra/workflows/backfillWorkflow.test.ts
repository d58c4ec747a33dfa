import { parse as parseYaml } from "yaml";
import { nightlyChain } from "../../functions/src/chain/nightlyChain";
import { listChecks } from "../../functions/src/checks";
import { martDependencies } from "../../functions/src/marts/catalog";
import { readSql } from "../../functions/src/sql/sqlFiles";
import { committedMartSchemas, martTableFields } from "../martTableSchemas";
import {
  backfillWorkflow,
  rangeMartScript,
  type BackfillWorkflowArgs,
  type PerDateMart,
} from "./backfillWorkflow";
import { WORKFLOW_SOURCE_LIMIT_BYTES, workflowSource } from "./steps";
import { chainArgs, SCHEDULED } from "./testing/chainArgs";
import { callsOf, chainOrderOf, stepsOf, type Definition } from "./testing/workflowSteps";

const scheduled = SCHEDULED;
const perDate: PerDateMart[] = scheduled
  .filter((m) => m.materialization.kind === "partition")
  .map((m) => ({
    name: m.name,
    dataset: "marts",
    partitionColumn: m.partitioning!.column,
    columns: martTableFields(m, committedMartSchemas()).map((f) => f.name),
    sql: readSql(m.file),
    dependsOn: martDependencies(m),
  }));

function args(overrides: Partial<BackfillWorkflowArgs> = {}): BackfillWorkflowArgs {
  return {
    ...chainArgs(),
    perDateMarts: perDate,
    chunkDays: 31,
    shardCount: 2,
    lakeConcurrency: 8,
    ...overrides,
  };
}

const source = workflowSource(backfillWorkflow(args()));
const definition = JSON.parse(source) as Definition;
const main = stepsOf(definition.main!.steps);
const run = main.find((s) => s.name === "run_backfill")!;
const order = chainOrderOf(stepsOf(run.body.try.steps));

describe("the backfill workflow source", () => {
  it("parses as JSON and YAML and fits Workflows' size limit", () => {
    expect(parseYaml(source)).toEqual(definition);
    expect(Buffer.byteLength(source)).toBeLessThan(WORKFLOW_SOURCE_LIMIT_BYTES * 0.8);
  });

  it("has a per-date mart to fill over the range (dm_kpi_daily)", () => {
    expect(perDate.map((m) => m.name)).toEqual(["dm_kpi_daily"]);
  });
});

describe("the backfill's order", () => {
  it("writes the lake, loads, checks, fills per-date marts, snapshots, fits CLV, the table marts, then the tests", () => {
    const tableMarts = nightlyChain()
      .filter((s) => s.kind === "mart" && !perDate.some((m) => m.name === s.name))
      .map((s) => `mart:${s.name}`);
    expect(order).toEqual([
      "generate",
      ...listChecks().map((c) => `check:${c.name}`),
      ...perDate.map((m) => `mart:${m.name}`),
      "snapshot",
      "clv",
      ...tableMarts,
      "stats",
    ]);
    const names = stepsOf(run.body.try.steps).map((s) => s.name);
    expect(names.indexOf("lake")).toBeLessThan(names.indexOf("load"));
    expect(names.indexOf("load")).toBeLessThan(names.indexOf("check_" + listChecks()[0]!.name));
  });

  it("starts every scheduled mart exactly once, each after the marts and snapshots it reads", () => {
    const marts = order.filter((s) => s.startsWith("mart:")).map((s) => s.slice(5));
    expect([...marts].sort()).toEqual(scheduled.map((m) => m.name).sort());
    const at = (name: string) =>
      name.startsWith("rfm_") ? order.indexOf("snapshot") : order.indexOf(`mart:${name}`);
    for (const decl of scheduled)
      for (const dep of martDependencies(decl)) expect(at(dep)).toBeLessThan(at(decl.name));
  });

  it("refuses a per-date mart that reads another mart (it would run before it)", () => {
    const reading = { ...perDate[0]!, dependsOn: ["dm_user_purchase_summary"] };
    expect(() => backfillWorkflow(args({ perDateMarts: [reading] }))).toThrow(
      /reads dm_user_purchase_summary/,
    );
  });
});

describe("the backfill's fan-out", () => {
  const all = stepsOf(run.body.try.steps);
  const lake = all.find((s) => s.name === "lake")!;

  it("writes the lake in parallel branches, one per (user shard, date chunk)", () => {
    expect(lake.body.parallel.concurrency_limit).toBe(8);
    expect(lake.body.parallel.for.range).toEqual([0, "${chunk_count * shard_count - 1}"]);
    const call = callsOf(stepsOf(lake.body.parallel.for.steps))[0]!;
    expect(call.args.body).toEqual({
      startDate: "${chunk_start}",
      endDate: "${chunk_end}",
      shard: { index: "${k % shard_count}", count: "${shard_count}" },
      stage: "lake",
    });
    expect(JSON.stringify(main)).toContain('{"shard_count":2}');
    expect(JSON.stringify(main)).toContain('{"chunk_days":31}');
  });

  it("loads chunk by chunk in date order, after every lake call", () => {
    const load = all.find((s) => s.name === "load")!;
    expect(load.body.for.range).toEqual([0, "${chunk_count - 1}"]);
    const call = callsOf(stepsOf(load.body.for.steps))[0]!;
    expect(call.args.body).toEqual({
      startDate: "${chunk_start}",
      endDate: "${chunk_end}",
      stage: "load",
    });
  });

  it("snapshots RFM at each month end in date order and at the last day", () => {
    const snapshots = all.find((s) => s.name === "snapshots")!;
    expect(snapshots.body.for.range).toEqual([0, "${day_count - 1}"]);
    const text = JSON.stringify(snapshots.body);
    expect(text).toContain('8, 10) == \\"01\\" or i == day_count - 1');
  });

  it("replaces a per-date mart's range in one transaction with both dates bound", () => {
    const range = all.find((s) => s.name === "mart_dm_kpi_daily_range")!;
    const query = range.body.args.body.configuration.query;
    expect(query.queryParameters.map((p: { name: string }) => p.name)).toEqual([
      "from_date",
      "run_date",
    ]);
    expect(query.query).toContain("begin transaction;");
    expect(query.query).toContain(
      "delete from marts_dev.dm_kpi_daily where kpi_date between @from_date and @run_date;",
    );
    expect(query.query).toContain("commit transaction;");
  });

  it("records one backfill run, naming the failing step", () => {
    const records = callsOf(main).filter((c) => c.call === "record_run");
    expect(records.map((r) => [r.args.run_kind, r.args.status, r.args.failed_step])).toEqual([
      ["backfill", "failed", "${step}"],
      ["backfill", "succeeded", ""],
    ]);
  });

  it("refuses a start that would leave a gap after the loaded days", () => {
    expect(JSON.stringify(main)).toContain("would leave a gap");
  });
});

describe("rangeMartScript", () => {
  it("inserts the mart's columns by name from its own SQL", () => {
    const script = rangeMartScript(perDate[0]!, { raw: "r", marts: "m", snapshots: "s" });
    const columns = perDate[0]!.columns.join(", ");
    expect(script).toContain(`insert into m.dm_kpi_daily (${columns})`);
    expect(script).toContain(`select ${columns} from (`);
    expect(script).toContain("from r.");
  });
});
