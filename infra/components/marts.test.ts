import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { MartDeclaration } from "../../functions/src/marts/catalog";
import { renderDatasets } from "../../functions/src/sql/render";
import { recordComponents, T } from "../testing/componentHarness";
import { settled, type RecordedResource } from "../testing/pulumiMocks";
import { Marts } from "./marts";

const decl = (name: string, extra: Partial<MartDeclaration> = {}): MartDeclaration => ({
  name,
  file: `marts/${name}.sql`,
  dataset: "marts",
  description: name,
  materialization: { kind: "table" },
  clustering: [],
  ...extra,
});
const MARTS = [
  decl("dm_kpi_daily", {
    materialization: { kind: "partition", parameter: "run_date" },
    partitioning: { column: "kpi_date", granularity: "DAY" },
  }),
  decl("dm_user_purchase_summary"),
  decl("dm_tradeoff_summary"),
  decl("dm_rfm_segments"),
];
const SQL: Record<string, string> = {
  "marts/dm_kpi_daily.sql": "select @run_date as kpi_date, count(*) as users from raw.users",
  "marts/dm_user_purchase_summary.sql":
    "select user_id from raw.users join raw.orders using (user_id)",
  "marts/dm_tradeoff_summary.sql": "select user_type from marts.dm_user_purchase_summary",
  "marts/dm_rfm_segments.sql": "select segment from snapshots.rfm_daily",
};
const IDS = { raw: "raw_pr_5", marts: "marts_pr_5", snapshots: "snapshots_pr_5" };
const LOCATION = "EU";

let created: RecordedResource[];
let configs: RecordedResource[];
let marts: Marts;
let tables: Record<string, gcp.bigquery.Table>;
/** Each scheduled query's `dependsOn`, as the component passed it (mocks do not record options). */
const dependsOn = new Map<string, unknown[]>();
const recordDependsOn: pulumi.ResourceTransformation = ({ type, name, opts }) => {
  if (type === T.transfer) dependsOn.set(name, [opts.dependsOn ?? []].flat());
  return undefined;
};

beforeAll(async () => {
  ({ created } = await recordComponents("pr-5", () => {
    const datasets = Object.fromEntries(
      Object.entries(IDS).map(([k, id]) => [
        k,
        new gcp.bigquery.Dataset(k, { datasetId: id, location: LOCATION }),
      ]),
    ) as unknown as ConstructorParameters<typeof Marts>[1]["datasets"];
    const agent = new gcp.projects.ServiceIdentity("agent", {
      service: "bigquerydatatransfer.googleapis.com",
    });
    tables = Object.fromEntries(
      MARTS.map((m) => [
        m.name,
        new gcp.bigquery.Table(m.name, { datasetId: IDS.marts, tableId: m.name }),
      ]),
    );
    marts = new Marts(
      "marts",
      {
        project: "my-analytics-dev",
        stack: "pr-5",
        location: LOCATION,
        datasets,
        destinationTables: tables,
        marts: MARTS,
        renderedSql: (d) => renderDatasets(SQL[d.file]!, IDS),
        dependencies: (d) => (d.name === "dm_tradeoff_summary" ? ["dm_user_purchase_summary"] : []),
        dataTransferAgent: agent,
      },
      { transformations: [recordDependsOn] },
    );
  }));
  configs = created.filter((r) => r.type === T.transfer);
});

const configOf = (name: string) => configs.find((c) => c.name === `marts-${name}`)!;

describe("Marts", () => {
  it("creates one scheduled query per mart", () => {
    expect(configs.map((c) => c.name).sort()).toEqual(MARTS.map((m) => `marts-${m.name}`).sort());
    for (const c of configs) expect(c.inputs.dataSourceId).toBe("scheduled_query");
  });

  it("queries exactly the mart's SQL file with the stack's dataset ids", () => {
    for (const m of MARTS) {
      const query = configOf(m.name).inputs.params.query;
      expect(query).toBe(renderDatasets(SQL[m.file]!, IDS));
    }
    expect(configOf("dm_tradeoff_summary").inputs.params.query).toBe(
      "select user_type from marts_pr_5.dm_user_purchase_summary",
    );
  });

  it("writes where and how each mart declares: a partition per run date, or the whole table", () => {
    expect(configOf("dm_kpi_daily").inputs.params).toMatchObject({
      destination_table_name_template: "dm_kpi_daily$" + "{run_date}",
      write_disposition: "WRITE_TRUNCATE",
    });
    expect(configOf("dm_user_purchase_summary").inputs.params).toMatchObject({
      destination_table_name_template: "dm_user_purchase_summary",
      write_disposition: "WRITE_TRUNCATE",
    });
    for (const c of configs) expect(c.inputs.destinationDatasetId).toBe("marts_pr_5");
  });

  it("creates each query after its own destination table, so it writes into the declared table", () => {
    for (const m of MARTS) {
      const deps = dependsOn.get(`marts-${m.name}`)!;
      expect(deps).toContain(tables[m.name]);
      const otherTables = Object.values(tables).filter((t) => t !== tables[m.name]);
      for (const other of otherTables) expect(deps).not.toContain(other);
    }
    for (const c of configs) expect(c.inputs.params).not.toHaveProperty("partitioning_field");
  });

  it("runs each query in its dataset's location", () => {
    const datasetLocation = created.find(
      (r) => r.type === T.dataset && r.inputs.datasetId === "marts_pr_5",
    )!.inputs.location;
    for (const c of configs) expect(c.inputs.location).toBe(datasetLocation);
  });

  it("has no schedule of its own: only the workflows (or a person) start a run", () => {
    for (const c of configs) {
      expect(c.inputs.scheduleOptions).toEqual({ disableAutoScheduling: true });
      expect(c.inputs.schedule).toBeUndefined();
    }
  });

  it("orders the marts so each comes after the marts it reads", () => {
    expect(marts.order.indexOf("dm_tradeoff_summary")).toBeGreaterThan(
      marts.order.indexOf("dm_user_purchase_summary"),
    );
    expect([...marts.order].sort()).toEqual(MARTS.map((m) => m.name).sort());
  });

  it("runs as a dedicated account the Data Transfer agent can mint tokens for", () => {
    const runner = created.find((r) => r.type === T.account)!;
    const email = `${runner.inputs.accountId}@my-analytics-dev.iam.gserviceaccount.com`;
    for (const c of configs) expect(c.inputs.serviceAccountName).toBe(email);
    const grant = created.find((r) => r.type === T.accountIam)!;
    expect(grant.inputs.role).toBe("roles/iam.serviceAccountTokenCreator");
    expect(grant.inputs.member).toMatch(/^serviceAccount:service-\d+@gcp-sa-bigquerydatatransfer/);
    expect(grant.inputs.serviceAccountId).toBe(
      `projects/my-analytics-dev/serviceAccounts/${email}`,
    );
  });

  it("lets the runner read raw and write only the datasets its marts land in", () => {
    const roles = Object.fromEntries(
      created
        .filter((r) => r.type === T.datasetIam)
        .map((r) => [r.inputs.datasetId, r.inputs.role]),
    );
    expect(roles).toEqual({
      raw_pr_5: "roles/bigquery.dataViewer",
      marts_pr_5: "roles/bigquery.dataEditor",
      snapshots_pr_5: "roles/bigquery.dataViewer",
    });
  });

  it("refuses a mart without a destination table, naming it, before creating anything", async () => {
    const args = {
      project: "p",
      stack: "pr-5",
      location: LOCATION,
      datasets: {} as ConstructorParameters<typeof Marts>[1]["datasets"],
      destinationTables: { dm_kpi_daily: tables.dm_kpi_daily! },
      marts: MARTS.slice(0, 2),
      renderedSql: () => "select 1 as x",
      dependencies: () => [],
      firstRunTime: "03:00",
      minutesPerLevel: 20,
      dataTransferAgent: {} as gcp.projects.ServiceIdentity,
    };
    expect(() => new Marts("bad", args)).toThrow(
      "Marts without a destination table: dm_user_purchase_summary",
    );
    await settled(created);
    expect(created.filter((r) => r.name.startsWith("bad-"))).toEqual([]);
  });
});
