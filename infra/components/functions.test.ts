import * as gcp from "@pulumi/gcp";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { FUNCTION_ENV } from "../../functions/src/backends/fromEnv";
import { functionSource } from "../packaging/functionSource";
import { broadServiceAccountRoles, publicGrants } from "../policies";
import { recordComponents, T } from "../testing/componentHarness";
import { fixtureCheckout } from "../testing/fixtureCheckout";
import type { RecordedResource } from "../testing/pulumiMocks";
import { FUNCTION_RUNTIME, Functions } from "./functions";

const root = fixtureCheckout(resolve(__dirname, "..", ".."));
const source = functionSource(root);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BUILDER = "fn-builder-dev@p-dev-123.iam.gserviceaccount.com";
let created: RecordedResource[];
let byType: (type: string) => RecordedResource[];

beforeAll(async () => {
  ({ created, byType } = await recordComponents("dev", () => {
    const datasets = {
      raw: new gcp.bigquery.Dataset("raw", { datasetId: "raw" }),
      marts: new gcp.bigquery.Dataset("marts", { datasetId: "marts" }),
      snapshots: new gcp.bigquery.Dataset("snapshots", { datasetId: "snapshots" }),
    };
    new Functions("functions", {
      project: "p-dev-123",
      region: "europe-west1",
      stack: "dev",
      location: "EU",
      lakeBucket: new gcp.storage.Bucket("lake", { name: "p-dev-123-dev-lake", location: "EU" }),
      sourceBucket: new gcp.storage.Bucket("src", { name: "p-dev-123-dev-fn-src", location: "EU" }),
      datasets,
      source,
      generator: {
        seed: 7,
        users: 1234,
        startDate: "2024-02-01",
        maxBackfillDays: 10,
      },
      runRecordTable: new gcp.bigquery.Table("runs", {
        datasetId: "snapshots",
        tableId: "pipeline_runs",
      }),
      builderEmail: BUILDER,
      labels: { env: "dev" },
    });
  }));
});

describe("Functions", () => {
  it("deploys every gen2 function on nodejs22 from the hashed source object", () => {
    const fns = byType(T.fn);
    expect(fns.map((f) => f.inputs.buildConfig.entryPoint).sort()).toEqual([
      "generateData",
      "loadOrders",
      "refreshClvSnapshot",
      "refreshRfmSnapshot",
      "refreshStatTests",
    ]);
    const object = byType(T.bucketObject)[0]!;
    expect(object.inputs.name).toBe(source.objectName);
    for (const f of fns) {
      expect(f.inputs.buildConfig.runtime).toBe(FUNCTION_RUNTIME);
      expect(f.inputs.buildConfig.source.storageSource).toEqual({
        bucket: "p-dev-123-dev-fn-src",
        object: source.objectName,
      });
    }
  });

  it("runs each function as its own service account", () => {
    const emails = byType(T.fn).map((f) => f.inputs.serviceConfig.serviceAccountEmail);
    expect(new Set(emails).size).toBe(5);
    expect(emails).not.toContain(BUILDER);
  });

  it("sets every environment variable the functions read, with the stack's values", () => {
    for (const f of byType(T.fn)) {
      expect(f.inputs.serviceConfig.environmentVariables).toMatchObject({
        [FUNCTION_ENV.project]: "p-dev-123",
        [FUNCTION_ENV.lakeBucket]: "p-dev-123-dev-lake",
        [FUNCTION_ENV.bigQueryLocation]: "EU",
        [FUNCTION_ENV.rawDataset]: "raw",
        [FUNCTION_ENV.martsDataset]: "marts",
        [FUNCTION_ENV.snapshotsDataset]: "snapshots",
        [FUNCTION_ENV.generatorUsers]: "1234",
        [FUNCTION_ENV.generatorSeed]: "7",
        [FUNCTION_ENV.generatorStartDate]: "2024-02-01",
        [FUNCTION_ENV.maxBackfillDays]: "10",
      });
    }
  });

  it("has no schedule and no invoker of its own: the workflows call the functions", () => {
    expect(byType(T.job)).toEqual([]);
    expect(byType(T.runIam)).toEqual([]);
    expect(publicGrants(created)).toEqual([]);
  });

  it("builds as the environment's build account into the stack's own image repository", () => {
    const repo = byType("gcp:artifactregistry/repository:Repository")[0]!;
    expect(repo.inputs).toMatchObject({ repositoryId: "fn-images-dev", format: "DOCKER" });
    for (const f of byType(T.fn)) {
      expect(f.inputs.buildConfig.serviceAccount).toBe(
        `projects/p-dev-123/serviceAccounts/${BUILDER}`,
      );
      expect(f.inputs.buildConfig.dockerRepository).toBe(
        "projects/p-dev-123/locations/europe-west1/repositories/fn-images-dev",
      );
    }
    const writers = byType("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember");
    expect(writers.map((w) => [w.inputs.role, w.inputs.member])).toEqual([
      ["roles/artifactregistry.writer", `serviceAccount:${BUILDER}`],
    ]);
    const sourceReaders = byType(T.bucketIam).filter(
      (g) => g.inputs.bucket === "p-dev-123-dev-fn-src",
    );
    expect(sourceReaders.map((g) => [g.inputs.role, g.inputs.member])).toEqual([
      ["roles/storage.objectViewer", `serviceAccount:${BUILDER}`],
    ]);
  });

  it("lets generateData, refreshStatTests and loadOrders write their run records, and nothing else in snapshots", () => {
    const records = byType("gcp:bigquery/iamMember:IamMember");
    expect(records.map((r) => [r.inputs.tableId, r.inputs.role, r.inputs.member])).toEqual([
      [
        "pipeline_runs",
        "roles/bigquery.dataEditor",
        "serviceAccount:gen-data-dev@p-dev-123.iam.gserviceaccount.com",
      ],
      [
        "pipeline_runs",
        "roles/bigquery.dataEditor",
        "serviceAccount:stats-dev@p-dev-123.iam.gserviceaccount.com",
      ],
      [
        "pipeline_runs",
        "roles/bigquery.dataEditor",
        "serviceAccount:orders-dev@p-dev-123.iam.gserviceaccount.com",
      ],
    ]);
    const snapshotWriters = byType(T.datasetIam).filter(
      (g) => g.inputs.datasetId === "snapshots" && g.inputs.role === "roles/bigquery.dataEditor",
    );
    expect(snapshotWriters.map((g) => g.inputs.member).sort()).toEqual([
      "serviceAccount:clv-dev@p-dev-123.iam.gserviceaccount.com",
      "serviceAccount:rfm-dev@p-dev-123.iam.gserviceaccount.com",
    ]);
  });

  it("lets refreshStatTests read and write the marts, and touch neither raw nor the lake", () => {
    const member = "serviceAccount:stats-dev@p-dev-123.iam.gserviceaccount.com";
    const grants = byType(T.datasetIam).filter((g) => g.inputs.member === member);
    expect(grants.map((g) => [g.inputs.datasetId, g.inputs.role])).toEqual([
      ["marts", "roles/bigquery.dataEditor"],
    ]);
  });

  it("grants data roles on datasets and the bucket, and no broad project role", () => {
    expect(broadServiceAccountRoles(created)).toEqual([]);
    const projectRoles = new Set(byType(T.projectIam).map((r) => r.inputs.role));
    expect([...projectRoles].sort()).toEqual(["roles/bigquery.jobUser"]);
    const lakeGrants = byType(T.bucketIam).filter((g) => g.inputs.bucket === "p-dev-123-dev-lake");
    expect(lakeGrants.map((g) => g.inputs.member)).toEqual([
      "serviceAccount:gen-data-dev@p-dev-123.iam.gserviceaccount.com",
      "serviceAccount:orders-dev@p-dev-123.iam.gserviceaccount.com",
    ]);
    const rawWriters = byType(T.datasetIam).filter(
      (g) => g.inputs.datasetId === "raw" && g.inputs.role === "roles/bigquery.dataEditor",
    );
    expect(rawWriters.map((g) => g.inputs.member)).toEqual([
      "serviceAccount:gen-data-dev@p-dev-123.iam.gserviceaccount.com",
      "serviceAccount:orders-dev@p-dev-123.iam.gserviceaccount.com",
    ]);
  });
});
