import { nightlyChain } from "../functions/src/chain/nightlyChain";
import { listChecks } from "../functions/src/checks";
import { MARTS } from "../functions/src/marts/catalog";
import { renderDatasets } from "../functions/src/sql/render";
import { martSql } from "../functions/src/marts/martParameters";
import { RAW_TABLE_LIST } from "../functions/src/contract";
import { datasetIdsFor } from "./config";
import { deployerGrants, projectGrantableRoles } from "./deployerRoles";
import { isScheduledQueryMart, scheduledQuerySql } from "./martSchedule";
import { queryParameters } from "../functions/src/sql/render";
import {
  broadServiceAccountRoles,
  datasetGrantsTo,
  publicGrants,
  ungrantableProjectRoles,
} from "./policies";
import { T } from "./testing/componentHarness";
import { ofType, valueOf, type RecordedResource } from "./testing/pulumiMocks";
import { runProgram, stackFileConfig } from "./testing/runProgram";
import { chainOrderOf, stepsOf, type Definition } from "./workflows/testing/workflowSteps";

/** The whole program, as `pulumi up` on the dev stack would run it with Pulumi.dev.yaml. */
let created: RecordedResource[];
let outputs: typeof import("./index");
const config = stackFileConfig("dev");
const PROJECT = config["gcp:project"]!;
const IDS = datasetIdsFor("dev");
const BI_READERS = JSON.parse(config["ecommerce-analytics:biReaders"]!) as string[];

beforeAll(async () => {
  ({ created, outputs } = await runProgram("dev", config));
});

const workflow = (name: string) =>
  JSON.parse(
    ofType(created, "gcp:workflows/workflow:Workflow").find((w) => w.inputs.name === name)!.inputs
      .sourceContents,
  ) as Definition;

describe("the dev stack", () => {
  it("creates every raw table of the contract in its raw dataset, and the bookkeeping tables", () => {
    const tables = ofType(created, T.table).filter((t) => t.inputs.datasetId === IDS.raw);
    expect(tables.map((t) => t.inputs.tableId).sort()).toEqual(
      [...RAW_TABLE_LIST.map((d) => d.name), "world_manifest"].sort(),
    );
    const runs = ofType(created, T.table).find((t) => t.inputs.tableId === "pipeline_runs")!;
    expect(runs.inputs.datasetId).toBe(IDS.snapshots);
  });

  it("keeps one scheduled query per mart of the marts dataset, with its SQL (parameters rendered, one day of a date spine) and no schedule of its own", () => {
    const scheduled = MARTS.filter(isScheduledQueryMart);
    expect(scheduled.length).toBeGreaterThan(0);
    const configs = ofType(created, T.transfer);
    expect(configs).toHaveLength(scheduled.length);
    const location = ofType(created, T.dataset).find((d) => d.inputs.datasetId === IDS.marts)!
      .inputs.location;
    for (const decl of scheduled) {
      const cfg = configs.find((c) => c.name === `marts-${decl.name}`)!;
      expect(cfg.inputs.params.query).toBe(
        renderDatasets(scheduledQuerySql(decl, martSql(decl)), IDS),
      );
      // The date spine's first day is the run date itself: one partition per run.
      expect(queryParameters(cfg.inputs.params.query)).not.toContain("from_date");
      expect(cfg.inputs.params.write_disposition).toBe("WRITE_TRUNCATE");
      expect(cfg.inputs.params.destination_table_name_template).toBe(
        decl.materialization.kind === "partition" ? decl.name + "$" + "{run_date}" : decl.name,
      );
      expect(cfg.inputs.destinationDatasetId).toBe(IDS.marts);
      expect(cfg.inputs.location).toBe(location);
      expect(cfg.inputs.scheduleOptions).toEqual({ disableAutoScheduling: true });
      expect(cfg.inputs.schedule).toBeUndefined();
    }
  });

  it("deploys the nightly workflow generated from the chain, with this stack's config names", async () => {
    const nightly = workflow("nightly-dev");
    const order = chainOrderOf(stepsOf(nightly.run_day!.steps));
    expect(order).toEqual(
      nightlyChain()
        .filter((s) => s.kind !== "record")
        .map((s) => (s.kind === "check" || s.kind === "mart" ? `${s.kind}:${s.name}` : s.kind)),
    );
    expect(order.filter((s) => s.startsWith("check:"))).toHaveLength(listChecks().length);
    const names = await Promise.all(Object.values(outputs.scheduledQueryNames).map(valueOf));
    expect(names.length).toBeGreaterThan(0);
    const text = JSON.stringify(nightly);
    for (const name of names) expect(text).toContain(`"config":"${name}"`);
    expect(text).toContain(
      `"maximumBytesBilled":"${config["ecommerce-analytics:maximumBytesBilled"]}"`,
    );
  });

  it("starts the nightly workflow from Cloud Scheduler at the configured time", () => {
    const jobs = ofType(created, T.job);
    expect(jobs.map((j) => j.inputs.name)).toEqual(["nightly-dev"]);
    const schedule = JSON.parse(config["ecommerce-analytics:schedule"]!) as { runTime: string };
    const [h, m] = schedule.runTime.split(":").map(Number);
    expect(jobs[0]!.inputs.schedule).toBe(`${m} ${h} * * *`);
    expect(jobs[0]!.inputs.httpTarget.uri).toContain("/workflows/nightly-dev/executions");
  });

  it("grants nothing to the public and no project-wide owner, editor or admin to any account", () => {
    expect(publicGrants(created)).toEqual([]);
    expect(broadServiceAccountRoles(created)).toEqual([]);
  });

  it("grants on the project only roles the deployer may grant", () => {
    expect(ungrantableProjectRoles(created, projectGrantableRoles(PROJECT))).toEqual([]);
  });

  it("gives BI readers marts and snapshots, and no binding on raw", () => {
    expect(BI_READERS.length).toBeGreaterThan(0);
    expect(datasetGrantsTo(created, IDS.raw, BI_READERS)).toEqual([]);
    expect(datasetGrantsTo(created, IDS.marts, BI_READERS)).toHaveLength(BI_READERS.length);
    expect(datasetGrantsTo(created, IDS.snapshots, BI_READERS)).toHaveLength(BI_READERS.length);
  });

  it("keeps every bucket private: the workflows' account invokes the chain's functions, the orders push account loadOrders only", () => {
    for (const b of ofType(created, T.bucket))
      expect(b.inputs.publicAccessPrevention).toBe("enforced");
    const invokerGrants = [
      ...ofType(created, T.runIam),
      ...created.filter((r) => r.type.includes("cloudfunctions") && r.type.includes("IamMember")),
    ].filter((r) => /invoker/.test(String(r.inputs.role)));
    const orchestrator = `serviceAccount:orchestrator-dev@${PROJECT}.iam.gserviceaccount.com`;
    const pusher = `serviceAccount:orders-push-dev@${PROJECT}.iam.gserviceaccount.com`;
    expect(invokerGrants.map((g) => [g.inputs.member, g.inputs.name]).sort()).toEqual(
      [
        [orchestrator, "generate-data-dev"],
        [orchestrator, "refresh-rfm-snapshot-dev"],
        [orchestrator, "refresh-clv-snapshot-dev"],
        [orchestrator, "refresh-stat-tests-dev"],
        [pusher, "load-orders-dev"],
      ].sort(),
    );
  });

  it("keeps deletion protection on every table and workflow, and the datasets' contents on destroy", () => {
    for (const t of ofType(created, T.table)) expect(t.inputs.deletionProtection).toBe(true);
    for (const w of ofType(created, "gcp:workflows/workflow:Workflow"))
      expect(w.inputs.deletionProtection).toBe(true);
    for (const d of ofType(created, T.dataset))
      expect(d.inputs.deleteContentsOnDestroy).toBe(false);
    for (const b of ofType(created, T.bucket)) expect(b.inputs.forceDestroy).toBe(false);
  });

  it("alerts on every failure to the configured email", () => {
    expect(ofType(created, T.channel).map((c) => c.inputs.labels.email_address)).toEqual([
      config["ecommerce-analytics:alertEmail"],
    ]);
    expect(ofType(created, T.alert)).toHaveLength(5);
  });

  it("exports buckets, datasets, function URLs, workflows, scheduled queries and BI links", async () => {
    expect(await valueOf(outputs.lakeBucket)).toBe("my-analytics-dev-dev-lake");
    expect(outputs.datasets).toEqual(IDS);
    expect(await valueOf(outputs.functionUrls.generateData)).toMatch(
      /^https:\/\/.*generate-data-dev$/,
    );
    expect(await valueOf(outputs.workflows.nightly)).toBe("nightly-dev");
    expect(await valueOf(outputs.workflows.backfill)).toBe("backfill-dev");
    const names = Object.keys(outputs.scheduledQueryNames).sort();
    expect(names).toEqual(
      MARTS.filter(isScheduledQueryMart)
        .map((m) => m.name)
        .sort(),
    );
    expect([...outputs.scheduledQueryOrder].sort()).toEqual(names);
    expect(Object.keys(outputs.lookerStudioUrls).sort()).toEqual(MARTS.map((m) => m.name).sort());
    const url = new URL(outputs.lookerStudioUrls["dm_kpi_daily"]!);
    expect(url.searchParams.get("ds.ds0.datasetId")).toBe(IDS.marts);
    expect(url.searchParams.get("ds.ds0.tableId")).toBe("dm_kpi_daily");
    // Each mart's link copies that mart's own template (Pulumi.dev.yaml), or none.
    const templates = JSON.parse(config["ecommerce-analytics:lookerStudioTemplates"] ?? "{}");
    for (const [mart, link] of Object.entries(outputs.lookerStudioUrls))
      expect(new URL(link).searchParams.get("c.reportId")).toBe(templates[mart] ?? null);
    expect(outputs.tableau).toMatchObject({
      billingProject: "my-analytics-dev",
      datasets: { marts: IDS.marts },
    });
  });

  it("needs no deployer role beyond infra/deployerRoles.ts for any resource it creates", () => {
    // The role that lets the deployer create each resource type the program registers.
    const roleFor: [RegExp, string][] = [
      [/^gcp:projects\/(service|serviceIdentity):/, "roles/serviceusage.serviceUsageAdmin"],
      [/^gcp:projects\/iAMMember:/, "roles/resourcemanager.projectIamAdmin"],
      [/^gcp:storage\//, "roles/storage.admin"],
      [/^gcp:bigquery\/dataTransferConfig:/, `projects/${PROJECT}/roles/analyticsTransferRunner`],
      [/^gcp:bigquery\//, "roles/bigquery.dataOwner"],
      [/^gcp:cloudfunctionsv2\//, "roles/cloudfunctions.developer"],
      [/^gcp:cloudrunv2\//, "roles/run.admin"],
      [/^gcp:artifactregistry\//, "roles/artifactregistry.admin"],
      [/^gcp:workflows\//, "roles/workflows.editor"],
      [/^gcp:cloudscheduler\//, "roles/cloudscheduler.admin"],
      [/^gcp:pubsub\//, "roles/pubsub.admin"],
      [/^gcp:serviceaccount\//, "roles/iam.serviceAccountAdmin"],
      [/^gcp:logging\/metric:/, "roles/logging.configWriter"],
      [/^gcp:monitoring\/alertPolicy:/, "roles/monitoring.alertPolicyEditor"],
      [/^gcp:monitoring\/notificationChannel:/, "roles/monitoring.notificationChannelEditor"],
    ];
    const granted = new Set(deployerGrants(PROJECT, "dev").map((r) => r.role));
    const types = new Set(created.map((r) => r.type).filter((t) => t.startsWith("gcp:")));
    for (const type of types) {
      const role = roleFor.find(([re]) => re.test(type))?.[1];
      expect({ type, role: role && granted.has(role) ? role : "missing" }).toEqual({ type, role });
    }
    // Functions, workflows and scheduled queries run as accounts the deployer must act as.
    expect(granted.has("roles/iam.serviceAccountUser")).toBe(true);
  });
});
