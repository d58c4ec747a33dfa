import { MARTS, martDependencies } from "../functions/src/marts/catalog";
import { renderDatasets } from "../functions/src/sql/render";
import { martSql } from "../functions/src/marts/martParameters";
import { readSql } from "../functions/src/sql/sqlFiles";
import { RAW_TABLE_LIST } from "../functions/src/contract";
import { DEPLOYER_ROLES } from "./deployerRoles";
import { queryParameters } from "../functions/src/sql/render";
import { addMinutes, isScheduledQueryMart, scheduledQuerySql } from "./martSchedule";
import { broadServiceAccountRoles, datasetGrantsTo, publicGrants } from "./policies";
import { T } from "./testing/componentHarness";
import { ofType, valueOf, type RecordedResource } from "./testing/pulumiMocks";
import { runProgram, stackFileConfig } from "./testing/runProgram";

/** The whole program, as `pulumi up` on the dev stack would run it with Pulumi.dev.yaml. */
let created: RecordedResource[];
let outputs: typeof import("./index");
const config = stackFileConfig("dev");
const BI_READERS = JSON.parse(config["ecommerce-analytics:biReaders"]!) as string[];

beforeAll(async () => {
  ({ created, outputs } = await runProgram("dev", config));
});

describe("the dev stack", () => {
  it("creates every raw table of the contract in the raw dataset", () => {
    const tables = ofType(created, T.table).filter((t) => t.inputs.datasetId === "raw");
    expect(tables.map((t) => t.inputs.tableId).sort()).toEqual(
      RAW_TABLE_LIST.map((d) => d.name).sort(),
    );
  });

  it("schedules one query per mart of the marts dataset: its SQL, parameters rendered, one day of a date spine", () => {
    const scheduled = MARTS.filter(isScheduledQueryMart);
    expect(scheduled.length).toBeGreaterThan(0);
    const configs = ofType(created, T.transfer);
    expect(configs).toHaveLength(scheduled.length);
    const location = ofType(created, T.dataset).find((d) => d.inputs.datasetId === "marts")!.inputs
      .location;
    for (const decl of scheduled) {
      const cfg = configs.find((c) => c.name === `marts-${decl.name}`)!;
      expect(cfg.inputs.params.query).toBe(scheduledQuerySql(decl, martSql(decl)));
      // The date spine's first day is the run date itself: one partition per run.
      expect(queryParameters(cfg.inputs.params.query)).not.toContain("from_date");
      expect(cfg.inputs.params.write_disposition).toBe("WRITE_TRUNCATE");
      expect(cfg.inputs.params.destination_table_name_template).toBe(
        decl.materialization.kind === "partition" ? decl.name + "$" + "{run_date}" : decl.name,
      );
      expect(cfg.inputs.destinationDatasetId).toBe(decl.dataset);
      expect(cfg.inputs.location).toBe(location);
    }
  });

  it("runs every mart after the daily load and the RFM snapshot, and after the marts it reads", () => {
    const times: Record<string, string> = outputs.scheduledQueryRunTimes;
    const schedule = JSON.parse(config["ecommerce-analytics:schedule"]!);
    const rfmAt = addMinutes(schedule.loadTime, schedule.rfmAfterMinutes);
    let dependent = 0;
    for (const decl of MARTS.filter(isScheduledQueryMart)) {
      expect(times[decl.name]! > rfmAt).toBe(true);
      expect(rfmAt > schedule.loadTime).toBe(true);
      for (const dep of martDependencies(decl).filter((d) => d in times)) {
        expect(times[decl.name]! > times[dep]!).toBe(true);
        dependent += 1;
      }
    }
    expect(dependent).toBeGreaterThan(0);
  });

  it("grants nothing to the public and no project-wide owner, editor or admin to any account", () => {
    expect(publicGrants(created)).toEqual([]);
    expect(broadServiceAccountRoles(created)).toEqual([]);
  });

  it("gives BI readers marts and snapshots, and no binding on raw", () => {
    expect(BI_READERS.length).toBeGreaterThan(0);
    expect(datasetGrantsTo(created, "raw", BI_READERS)).toEqual([]);
    expect(datasetGrantsTo(created, "marts", BI_READERS)).toHaveLength(BI_READERS.length);
    expect(datasetGrantsTo(created, "snapshots", BI_READERS)).toHaveLength(BI_READERS.length);
  });

  it("keeps every bucket private and every function invoked only with the invoker's OIDC token", () => {
    for (const b of ofType(created, T.bucket))
      expect(b.inputs.publicAccessPrevention).toBe("enforced");
    const invoker = ofType(created, T.account).find(
      (a) => a.inputs.accountId === "fn-invoker-dev",
    )!;
    const email = `${invoker.inputs.accountId}@${config["gcp:project"]}.iam.gserviceaccount.com`;
    for (const job of ofType(created, T.job)) {
      expect(job.inputs.httpTarget.oidcToken.serviceAccountEmail).toBe(email);
    }
    const invokerGrants = [
      ...ofType(created, T.runIam),
      ...created.filter((r) => r.type.includes("cloudfunctions")),
    ].filter((r) => /invoker/.test(String(r.inputs.role)));
    expect(invokerGrants).toHaveLength(2);
    for (const g of invokerGrants) expect(g.inputs.member).toBe(`serviceAccount:${email}`);
  });

  it("keeps deletion protection on every table and the datasets' contents on destroy", () => {
    for (const t of ofType(created, T.table)) expect(t.inputs.deletionProtection).toBe(true);
    for (const d of ofType(created, T.dataset))
      expect(d.inputs.deleteContentsOnDestroy).toBe(false);
    for (const b of ofType(created, T.bucket)) expect(b.inputs.forceDestroy).toBe(false);
  });

  it("alerts on function errors and failed scheduled-query runs to the configured email", () => {
    expect(ofType(created, T.channel).map((c) => c.inputs.labels.email_address)).toEqual([
      config["ecommerce-analytics:alertEmail"],
    ]);
    expect(ofType(created, T.alert)).toHaveLength(2);
  });

  it("exports buckets, datasets, function URLs, scheduled queries and BI links", async () => {
    expect(await valueOf(outputs.lakeBucket)).toBe("my-analytics-dev-dev-lake");
    expect(outputs.datasets).toEqual({ raw: "raw", marts: "marts", snapshots: "snapshots" });
    expect(await valueOf(outputs.functionUrls.generateData)).toMatch(
      /^https:\/\/.*generate-data-dev$/,
    );
    const names = Object.keys(outputs.scheduledQueryNames).sort();
    expect(names).toEqual(
      MARTS.filter(isScheduledQueryMart)
        .map((m) => m.name)
        .sort(),
    );
    expect(Object.keys(outputs.lookerStudioUrls).sort()).toEqual(MARTS.map((m) => m.name).sort());
    const url = new URL(outputs.lookerStudioUrls["dm_kpi_daily"]!);
    expect(url.searchParams.get("ds.ds0.datasetId")).toBe("marts");
    expect(url.searchParams.get("ds.ds0.tableId")).toBe("dm_kpi_daily");
    expect(outputs.tableau).toMatchObject({
      billingProject: "my-analytics-dev",
      datasets: { marts: "marts" },
    });
  });

  it("queries exactly what renderDatasets gives for the dev dataset ids (identity on dev)", () => {
    const decl = MARTS.find(isScheduledQueryMart)!;
    const sql = readSql(decl.file);
    expect(renderDatasets(sql, { raw: "raw", marts: "marts", snapshots: "snapshots" })).toBe(sql);
  });

  it("needs no deployer role beyond infra/deployerRoles.ts for any resource it creates", () => {
    // The role that lets the deployer create each resource type the program registers.
    const roleFor: [RegExp, string][] = [
      [/^gcp:projects\/(service|serviceIdentity):/, "roles/serviceusage.serviceUsageAdmin"],
      [/^gcp:projects\/iAMMember:/, "roles/resourcemanager.projectIamAdmin"],
      [/^gcp:storage\//, "roles/storage.admin"],
      [/^gcp:bigquery\//, "roles/bigquery.admin"],
      [/^gcp:cloudfunctionsv2\//, "roles/cloudfunctions.admin"],
      [/^gcp:cloudrunv2\//, "roles/run.admin"],
      [/^gcp:cloudscheduler\//, "roles/cloudscheduler.admin"],
      [/^gcp:serviceaccount\//, "roles/iam.serviceAccountAdmin"],
      [/^gcp:monitoring\/alertPolicy:/, "roles/monitoring.alertPolicyEditor"],
      [/^gcp:monitoring\/notificationChannel:/, "roles/monitoring.notificationChannelEditor"],
    ];
    const granted = new Set(DEPLOYER_ROLES.map((r) => r.role));
    const types = new Set(created.map((r) => r.type).filter((t) => t.startsWith("gcp:")));
    for (const type of types) {
      const role = roleFor.find(([re]) => re.test(type))?.[1];
      expect({ type, role: role && granted.has(role) ? role : "missing" }).toEqual({ type, role });
    }
    // Functions, scheduler jobs and scheduled queries run as accounts the deployer must act as.
    expect(granted.has("roles/iam.serviceAccountUser")).toBe(true);
  });
});
