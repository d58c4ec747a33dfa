/**
 * The cloud code path end to end without a cloud: generateData through the real Functions
 * Framework with the real GcsLake and BigQueryWarehouse, whose clients are recorders. Asserts the
 * exact object paths uploaded and the exact load jobs a two-day backfill sends.
 */
import { mkdtempSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import request from "supertest";
import { bigQuerySchema, RAW_TABLE_LIST } from "../contract";
import {
  BigQueryWarehouse,
  type BigQueryClientLike,
  type BigQueryJobLike,
} from "../backends/bigqueryWarehouse";
import type { BackendConfig } from "../backends/fromEnv";
import { GcsLake, type GcsFileLike, type StorageLike } from "../backends/gcsLake";
import { setBackendsForTesting } from "./backends";
import { setLogSink } from "./log";

const root = mkdtempSync(join(tmpdir(), "cloud-path-"));
const CLOUD_ENV = {
  GOOGLE_CLOUD_PROJECT: "shop-dev",
  LAKE_BUCKET: "shop-dev-lake",
  BIGQUERY_LOCATION: "EU",
  RAW_DATASET: "raw_pr_9",
  MARTS_DATASET: "marts_pr_9",
  SNAPSHOTS_DATASET: "snapshots_pr_9",
};
Object.assign(process.env, {
  LOCAL_DATA_DIR: root,
  GENERATOR_USERS: "300",
  GENERATOR_START_DATE: "2024-01-01",
});

/** A bucket in memory: uploads record their destination and size. */
function memoryStorage() {
  const objects = new Map<string, number>();
  const texts = new Map<string, string>();
  const file = (name: string): GcsFileLike => ({
    name,
    metadata: { size: String(objects.get(name) ?? 0) },
    async getMetadata() {
      if (!objects.has(name)) throw Object.assign(new Error("No such object"), { code: 404 });
      return [{ generation: "1" }];
    },
    async delete() {
      objects.delete(name);
    },
    async download() {
      if (!texts.has(name)) throw Object.assign(new Error("No such object"), { code: 404 });
      return [Buffer.from(texts.get(name)!)];
    },
    async save(data) {
      texts.set(name, data);
      objects.set(name, data.length);
    },
  });
  const storage: StorageLike = {
    bucket: () => ({
      file,
      async upload(localPath, options) {
        objects.set(options.destination, (await stat(localPath)).size);
        return [file(options.destination)];
      },
      async getFiles(query) {
        return [[...objects.keys()].filter((n) => n.startsWith(query.prefix)).map(file)];
      },
    }),
  };
  return { storage, objects, texts };
}

/** A BigQuery whose datasets and tables exist and whose jobs succeed; records every job. */
function recordingBigQuery() {
  const jobs: { configuration: Record<string, unknown>; location: string }[] = [];
  const client: BigQueryClientLike = {
    async createJob(req) {
      jobs.push(req);
      const job: BigQueryJobLike = {
        id: `${req.jobPrefix}${jobs.length}`,
        metadata: { statistics: { load: { outputRows: "0" } } },
        promise: async () => [],
        getQueryResults: async () => [[]],
      };
      return [job];
    },
    dataset: () => ({
      exists: async () => [true],
      create: async () => undefined,
      table: () => ({ exists: async () => [true], delete: async () => undefined }),
      createTable: async () => undefined,
    }),
  };
  return { client, jobs };
}

afterAll(() => rm(root, { recursive: true, force: true }));

it("uploads the lake layout to GCS and sends one WRITE_TRUNCATE load job per table and day", async () => {
  const saved = { ...process.env };
  Object.assign(process.env, CLOUD_ENV);
  const lake = memoryStorage();
  const bigquery = recordingBigQuery();
  const seen: BackendConfig[] = [];
  setLogSink(() => undefined);
  setBackendsForTesting(async (config) => {
    seen.push(config);
    if (config.kind !== "cloud") throw new Error("expected the cloud configuration");
    return {
      lake: new GcsLake(lake.storage, config.bucket),
      warehouse: new BigQueryWarehouse(bigquery.client, config),
    };
  });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("../index");
    const res = await request(getTestServer("generateData"))
      .post("/")
      .send({ startDate: "2024-03-01", endDate: "2024-03-02" });
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 200 });

    expect(seen).toEqual([
      {
        kind: "cloud",
        project: "shop-dev",
        bucket: "shop-dev-lake",
        location: "EU",
        datasets: { raw: "raw_pr_9", marts: "marts_pr_9", snapshots: "snapshots_pr_9" },
      },
    ]);

    const expectedObjects = RAW_TABLE_LIST.flatMap((def) =>
      def.partitionColumn
        ? ["2024-03-01", "2024-03-02"].map((d) => `raw/${def.name}/dt=${d}/part-0-of-1-b0.parquet`)
        : [`raw/${def.name}/asof=2024-03-02/part-0-of-1-b0.parquet`],
    ).sort();
    expect([...lake.objects.keys()].sort()).toEqual([...expectedObjects, "manifest.json"].sort());
    expect(JSON.parse(lake.texts.get("manifest.json")!)).toMatchObject({
      seed: 42,
      users: 300,
      startDate: "2024-01-01",
      dataThrough: "2024-03-02",
    });
    expect(res.body.files).toEqual(expectedObjects);

    const loads = bigquery.jobs
      .map((j) => (j.configuration as { load?: Record<string, unknown> }).load)
      .filter((l): l is Record<string, unknown> => l !== undefined);
    expect(loads).toHaveLength(expectedObjects.length);
    for (const def of RAW_TABLE_LIST) {
      const days = def.partitionColumn ? ["2024-03-01", "2024-03-02"] : [null];
      for (const day of days) {
        const tableId = day ? `${def.name}$${day.replace(/-/g, "")}` : def.name;
        const path = day
          ? `raw/${def.name}/dt=${day}/part-0-of-1-b0.parquet`
          : `raw/${def.name}/asof=2024-03-02/part-0-of-1-b0.parquet`;
        const load = loads.find(
          (l) => (l.destinationTable as { tableId: string }).tableId === tableId,
        );
        expect(load).toEqual(
          expect.objectContaining({
            sourceUris: [`gs://shop-dev-lake/${path}`],
            sourceFormat: "PARQUET",
            destinationTable: { projectId: "shop-dev", datasetId: "raw_pr_9", tableId },
            writeDisposition: "WRITE_TRUNCATE",
            schema: { fields: bigQuerySchema(def) },
          }),
        );
      }
    }
    expect(bigquery.jobs.every((j) => j.location === "EU")).toBe(true);
    expect(res.body.loadJobs).toHaveLength(expectedObjects.length);
    // After the loads: the manifest's one row replaced in a transaction, then the run record.
    const queries = bigquery.jobs
      .map((j) => (j.configuration as { query?: { query: string } }).query?.query ?? "")
      .filter((q) => /\b(insert|delete)\b/.test(q));
    expect(queries[0]).toMatch(/begin transaction;\ndelete from raw_pr_9\.world_manifest/);
    expect(queries[0]).toMatch(/date '2024-03-02'/);
    expect(queries[1]).toMatch(/^insert into snapshots_pr_9\.pipeline_runs/);
  } finally {
    setBackendsForTesting(null);
    process.env = saved;
  }
});
