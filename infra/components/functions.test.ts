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
      runTimes: { generateData: "02:00", refreshRfmSnapshot: "02:30" },
      labels: { env: "dev" },
    });
  }));
});

const invokerEmail = () =>
  `${byType(T.account).find((a) => a.inputs.accountId === "fn-invoker-dev")!.inputs.accountId}@p-dev-123.iam.gserviceaccount.com`;

describe("Functions", () => {
  it("deploys both gen2 functions on nodejs22 from the hashed source object", () => {
    const fns = byType(T.fn);
    expect(fns.map((f) => f.inputs.buildConfig.entryPoint).sort()).toEqual([
      "generateData",
      "refreshRfmSnapshot",
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
    expect(new Set(emails).size).toBe(2);
    expect(emails).not.toContain(invokerEmail());
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

  it("lets only the invoker account invoke the functions' Cloud Run services", () => {
    const grants = byType(T.runIam);
    expect(grants.map((g) => g.inputs.name).sort()).toEqual(
      byType(T.fn)
        .map((f) => f.inputs.name)
        .sort(),
    );
    for (const g of grants) {
      expect(g.inputs.role).toBe("roles/run.invoker");
      expect(g.inputs.member).toBe(`serviceAccount:${invokerEmail()}`);
    }
    expect(publicGrants(created)).toEqual([]);
  });

  it("starts each function daily with an OIDC token of the invoker for the function's URL", () => {
    const jobs = byType(T.job);
    expect(jobs).toHaveLength(2);
    const urls = byType(T.fn).map(
      (f) => `https://europe-west1-p-dev-123.cloudfunctions.net/${f.inputs.name}`,
    );
    for (const job of jobs) {
      const target = job.inputs.httpTarget;
      expect(urls).toContain(target.uri);
      expect(target.oidcToken).toEqual({
        serviceAccountEmail: invokerEmail(),
        audience: target.uri,
      });
      expect(target.oauthToken).toBeUndefined();
      expect(job.inputs.timeZone).toBe("Etc/UTC");
    }
    expect(jobs.map((j) => j.inputs.schedule).sort()).toEqual(["0 2 * * *", "30 2 * * *"]);
  });

  it("grants data roles on datasets and the bucket, and no broad project role", () => {
    expect(broadServiceAccountRoles(created)).toEqual([]);
    const projectRoles = new Set(byType(T.projectIam).map((r) => r.inputs.role));
    expect([...projectRoles].sort()).toEqual([
      "roles/artifactregistry.writer",
      "roles/bigquery.jobUser",
      "roles/logging.logWriter",
    ]);
    const lakeGrants = byType(T.bucketIam).filter((g) => g.inputs.bucket === "p-dev-123-dev-lake");
    expect(lakeGrants.map((g) => g.inputs.member)).toEqual([
      "serviceAccount:gen-data-dev@p-dev-123.iam.gserviceaccount.com",
    ]);
    const rawWriters = byType(T.datasetIam).filter(
      (g) => g.inputs.datasetId === "raw" && g.inputs.role === "roles/bigquery.dataEditor",
    );
    expect(rawWriters.map((g) => g.inputs.member)).toEqual([
      "serviceAccount:gen-data-dev@p-dev-123.iam.gserviceaccount.com",
    ]);
  });
});
