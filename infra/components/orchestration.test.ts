import * as gcp from "@pulumi/gcp";
import { broadServiceAccountRoles, publicGrants } from "../policies";
import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { Orchestration, type WorkflowInputs } from "./orchestration";

const ROLE = "projects/p-dev-123/roles/analyticsTransferRunner";
const seen: Record<string, WorkflowInputs> = {};
let created: RecordedResource[];
let byType: (type: string) => RecordedResource[];

beforeAll(async () => {
  ({ created, byType } = await recordComponents("dev", () => {
    const dataset = (id: string) => new gcp.bigquery.Dataset(id, { datasetId: id });
    const fn = (name: string) =>
      new gcp.cloudfunctionsv2.Function(name, { name, location: "europe-west1" });
    new Orchestration("orchestration", {
      project: "p-dev-123",
      region: "europe-west1",
      stack: "dev",
      labels: { env: "dev" },
      destroyable: false,
      datasets: {
        raw: dataset("raw_dev"),
        marts: dataset("marts_dev"),
        snapshots: dataset("snapshots_dev"),
      },
      runRecordTable: new gcp.bigquery.Table("runs", {
        datasetId: "snapshots_dev",
        tableId: "pipeline_runs",
      }),
      functions: {
        generateData: fn("generate-data-dev"),
        refreshRfmSnapshot: fn("refresh-rfm-snapshot-dev"),
        refreshClvSnapshot: fn("refresh-clv-snapshot-dev"),
        refreshStatTests: fn("refresh-stat-tests-dev"),
      },
      transferConfigs: {
        dm_a: new gcp.bigquery.DataTransferConfig("a", {
          displayName: "a",
          dataSourceId: "scheduled_query",
          location: "EU",
          params: {},
        }),
      },
      runTime: "02:15",
      transferRunnerRole: ROLE,
      sources: {
        nightly: (inputs) => {
          seen.nightly = inputs;
          return '{"main":{"steps":[{"n":{"return":1}}]}}';
        },
        backfill: (inputs) => {
          seen.backfill = inputs;
          return '{"main":{"steps":[{"b":{"return":2}}]}}';
        },
      },
    });
  }));
});

const ORCHESTRATOR = "serviceAccount:orchestrator-dev@p-dev-123.iam.gserviceaccount.com";
const TRIGGER = "wf-trigger-dev@p-dev-123.iam.gserviceaccount.com";

describe("Orchestration", () => {
  it("deploys the nightly and backfill workflows as the orchestrator, from sources given the real names", () => {
    const workflows = byType("gcp:workflows/workflow:Workflow");
    expect(workflows.map((w) => w.inputs.name).sort()).toEqual(["backfill-dev", "nightly-dev"]);
    for (const w of workflows) {
      expect(w.inputs.serviceAccount).toBe(
        "projects/p-dev-123/serviceAccounts/orchestrator-dev@p-dev-123.iam.gserviceaccount.com",
      );
      expect(w.inputs.deletionProtection).toBe(true);
      expect(w.inputs.region).toBe("europe-west1");
    }
    expect(workflows.find((w) => w.inputs.name === "nightly-dev")!.inputs.sourceContents).toBe(
      '{"main":{"steps":[{"n":{"return":1}}]}}',
    );
    expect(seen.nightly!.martConfigNames).toEqual({
      dm_a: "projects/123456789012/locations/EU/transferConfigs/cfg-a",
    });
    expect(seen.nightly!.functionUrls).toEqual({
      generateData: "https://europe-west1-mock-project.cloudfunctions.net/generate-data-dev",
      refreshRfmSnapshot:
        "https://europe-west1-mock-project.cloudfunctions.net/refresh-rfm-snapshot-dev",
      refreshClvSnapshot:
        "https://europe-west1-mock-project.cloudfunctions.net/refresh-clv-snapshot-dev",
      refreshStatTests:
        "https://europe-west1-mock-project.cloudfunctions.net/refresh-stat-tests-dev",
    });
  });

  it("starts the nightly workflow daily at the configured UTC time, as an account that can only start workflows", () => {
    const [job] = byType(T.job);
    expect(job!.inputs).toMatchObject({
      schedule: "15 2 * * *",
      timeZone: "Etc/UTC",
      name: "nightly-dev",
    });
    expect(job!.inputs.httpTarget.uri).toBe(
      "https://workflowexecutions.googleapis.com/v1/projects/p-dev-123/locations/europe-west1/workflows/nightly-dev/executions",
    );
    expect(job!.inputs.httpTarget.oauthToken).toEqual({
      serviceAccountEmail: TRIGGER,
      scope: "https://www.googleapis.com/auth/cloud-platform",
    });
    expect(JSON.parse(Buffer.from(job!.inputs.httpTarget.body, "base64").toString())).toEqual({
      argument: "{}",
    });
    const triggerGrants = created.filter((r) => r.inputs.member === `serviceAccount:${TRIGGER}`);
    expect(triggerGrants.map((g) => [g.type, g.inputs.role])).toEqual([
      [T.projectIam, "roles/workflows.invoker"],
    ]);
  });

  it("gives the orchestrator exactly what the chain needs", () => {
    const grants = created
      .filter((r) => r.inputs.member === ORCHESTRATOR)
      .map(
        (g) =>
          `${g.type.split(":")[1]} ${g.inputs.datasetId ?? g.inputs.name ?? ""}${g.inputs.tableId ? "." + g.inputs.tableId : ""} ${g.inputs.role}`,
      )
      .sort();
    expect(grants).toEqual(
      [
        "bigquery/datasetIamMember raw_dev roles/bigquery.dataViewer",
        "bigquery/datasetIamMember marts_dev roles/bigquery.dataViewer",
        "bigquery/datasetIamMember snapshots_dev roles/bigquery.dataViewer",
        "bigquery/iamMember snapshots_dev.pipeline_runs roles/bigquery.dataEditor",
        "cloudrunv2/serviceIamMember generate-data-dev roles/run.invoker",
        "cloudrunv2/serviceIamMember refresh-rfm-snapshot-dev roles/run.invoker",
        "cloudrunv2/serviceIamMember refresh-clv-snapshot-dev roles/run.invoker",
        "cloudrunv2/serviceIamMember refresh-stat-tests-dev roles/run.invoker",
        "projects/iAMMember  roles/bigquery.jobUser",
        `projects/iAMMember  ${ROLE}`,
      ].sort(),
    );
    expect(broadServiceAccountRoles(created)).toEqual([]);
    expect(publicGrants(created)).toEqual([]);
  });
});
