/**
 * generateData through the real Functions Framework HTTP layer (getTestServer + supertest) over the
 * real local backends (a lake folder and a DuckDB file) in temporary folders, at a small scale.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import request from "supertest";
import type { LoadReport, PartitionLoad, Warehouse } from "../backends/types";
import { localPaths, openBackends, setBackendsForTesting } from "./backends";
import { setLogSink } from "./log";
import { fileListing, rowsPerTable, warehousePrint, type WarehousePrint } from "./testSupport";

const root = mkdtempSync(join(tmpdir(), "generate-data-"));
const CLOUD_VARS = [
  "LAKE_BUCKET",
  "BIGQUERY_LOCATION",
  "RAW_DATASET",
  "MARTS_DATASET",
  "SNAPSHOTS_DATASET",
];
for (const name of CLOUD_VARS) delete process.env[name];
Object.assign(process.env, {
  LOCAL_DATA_DIR: join(root, "unused"),
  GENERATOR_SEED: "42",
  GENERATOR_USERS: "300",
  GENERATOR_START_DATE: "2024-01-01",
  GENERATOR_HORIZON_END: "2024-06-30",
  MAX_BACKFILL_DAYS: "31",
});

let dirCount = 0;
/** Points the local backends at a fresh data folder; returns it. */
function freshDataDir(): string {
  const dir = join(root, `data-${++dirCount}`);
  process.env.LOCAL_DATA_DIR = dir;
  return dir;
}

const logLines: string[] = [];
let server: ReturnType<typeof getTestServer>;

beforeAll(async () => {
  setLogSink((line) => logLines.push(line));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../index");
  server = getTestServer("generateData");
});
afterAll(() => rm(root, { recursive: true, force: true }));
afterEach(() => setBackendsForTesting(null));

function post(body: unknown) {
  return request(server)
    .post("/")
    .set("Content-Type", "application/json")
    .send(body as object);
}

async function state(dir: string): Promise<{ files: string[]; warehouse: WarehousePrint }> {
  return {
    files: await fileListing(dir),
    warehouse: await warehousePrint(localPaths(dir).warehouseFile),
  };
}

function partitionsOf(print: WarehousePrint, table: string, day: string): string[] {
  return Object.keys(print).filter((k) => k === `${table}/${day}`);
}

describe("generateData", () => {
  it("writes a day to the lake and the warehouse, and a second call changes nothing", async () => {
    const dir = freshDataDir();
    const first = await post({ date: "2024-03-05" });
    expect(first.status).toBe(200);
    expect(first.body.dateRange).toEqual({ start: "2024-03-05", end: "2024-03-05" });
    expect(first.body.seed).toBe(42);
    expect(first.body.users).toBe(300);
    expect(typeof first.body.seconds).toBe("number");
    expect(first.body.loadJobs).toBeDefined();
    expect(first.body.files).toBeDefined();

    const after1 = await state(dir);
    const lake = after1.files.filter((f) => f.startsWith("lake/"));
    expect(lake.some((f) => f.startsWith("lake/raw/events/dt=2024-03-05/"))).toBe(true);
    expect(lake.some((f) => f.startsWith("lake/raw/sessions/dt=2024-03-05/"))).toBe(true);
    expect(partitionsOf(after1.warehouse, "events", "2024-03-05")).toHaveLength(1);
    // Only the requested day lands in the partitioned tables.
    const days = new Set(
      Object.keys(after1.warehouse)
        .map((k) => k.split("/")[1])
        .filter((p) => p !== "*"),
    );
    expect([...days]).toEqual(["2024-03-05"]);
    // The answer counts what the warehouse holds.
    expect(first.body.rows).toEqual(expect.objectContaining(rowsPerTable(after1.warehouse)));
    for (const p of Object.values(after1.warehouse)) expect(p.keys).toBe(p.rows);

    const second = await post({ date: "2024-03-05" });
    expect(second.status).toBe(200);
    expect(second.body.rows).toEqual(first.body.rows);
    const after2 = await state(dir);
    expect(after2.warehouse).toEqual(after1.warehouse);
    expect(after2.files.filter((f) => f.startsWith("lake/"))).toEqual(lake);
  });

  it("backfills a range exactly as the daily calls for the same days would", async () => {
    const backfill = freshDataDir();
    expect((await post({ startDate: "2024-03-01", endDate: "2024-03-03" })).status).toBe(200);
    const daily = freshDataDir();
    for (const date of ["2024-03-01", "2024-03-02", "2024-03-03"]) {
      expect((await post({ date })).status).toBe(200);
    }
    const a = await warehousePrint(localPaths(backfill).warehouseFile);
    const b = await warehousePrint(localPaths(daily).warehouseFile);
    expect(Object.keys(a).length).toBeGreaterThan(8);
    expect(a).toEqual(b);
  });

  it("fans out in shards that together equal the unsharded run", async () => {
    const whole = freshDataDir();
    expect((await post({ startDate: "2024-04-01", endDate: "2024-04-02" })).status).toBe(200);
    const sharded = freshDataDir();
    for (const index of [0, 1, 2]) {
      const res = await post({
        startDate: "2024-04-01",
        endDate: "2024-04-02",
        shard: { index, count: 3 },
      });
      expect(res.status).toBe(200);
      expect(res.body.shard).toEqual({ index, count: 3 });
    }
    expect(await warehousePrint(localPaths(sharded).warehouseFile)).toEqual(
      await warehousePrint(localPaths(whole).warehouseFile),
    );
  });

  it("serialises concurrent requests on one folder, losing neither", async () => {
    const single = freshDataDir();
    expect((await post({ date: "2024-03-07" })).status).toBe(200);
    expect((await post({ date: "2024-03-08" })).status).toBe(200);
    const concurrent = freshDataDir();
    const answers = await Promise.all([post({ date: "2024-03-07" }), post({ date: "2024-03-08" })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await warehousePrint(localPaths(concurrent).warehouseFile)).toEqual(
      await warehousePrint(localPaths(single).warehouseFile),
    );
  });

  it("dry-runs without writing anything", async () => {
    const dir = freshDataDir();
    const res = await post({ date: "2024-03-05", dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(Object.values(res.body.rows as Record<string, number>).some((n) => n > 0)).toBe(true);
    expect(res.body.files).toEqual([]);
    expect(res.body.loadJobs).toEqual([]);
    expect(await fileListing(dir)).toEqual([]);
  });

  describe("bad input", () => {
    let dir: string;
    let before: { files: string[]; warehouse: WarehousePrint };
    beforeAll(async () => {
      dir = freshDataDir();
      expect((await post({ date: "2024-03-05" })).status).toBe(200);
      before = await state(dir);
    });

    it.each([
      ["an unknown field", { date: "2024-03-05", user: 300 }, "user"],
      ["an end before the start", { startDate: "2024-03-05", endDate: "2024-03-01" }, "endDate"],
      ["a range beyond the cap", { startDate: "2024-03-01", endDate: "2024-04-10" }, "endDate"],
      ["too few users", { date: "2024-03-05", users: 1 }, "users"],
      ["too many users", { date: "2024-03-05", users: 50_000_000 }, "users"],
      ["a malformed date", { date: "2024-03-32" }, "date"],
      ["a day past the horizon", { date: "2024-07-01" }, "date"],
      [
        "a shard index out of range",
        { date: "2024-03-05", shard: { index: 3, count: 3 } },
        "shard.index",
      ],
    ])("answers 400 naming the field for %s, and writes nothing", async (_case, body, field) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe("invalid_request");
      expect(res.body.issues.map((i: { field: string }) => i.field)).toContain(field);
      expect(res.body.message).toContain(field);
      expect(res.body.requestId).toEqual(expect.any(String));
      expect(await state(dir)).toEqual(before);
    });

    it("answers 400 naming the body for a body that is not JSON", async () => {
      const res = await request(server)
        .post("/")
        .set("Content-Type", "text/plain")
        .send("date=2024-03-05");
      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual([{ field: "body", message: "is not valid JSON" }]);
      expect(await state(dir)).toEqual(before);
    });

    it("answers 400 for malformed JSON, before the handler runs, without a stack", async () => {
      const previous = process.env.NODE_ENV;
      process.env.NODE_ENV = "production"; // as on Cloud Functions and under `npm run serve`
      const productionServer = getTestServer("generateData");
      process.env.NODE_ENV = previous;
      const res = await request(productionServer)
        .post("/")
        .set("Content-Type", "application/json")
        .send('{"date": "2024-03-05"');
      expect(res.status).toBe(400);
      expect(res.text).not.toMatch(/\n\s+at /);
      expect(await state(dir)).toEqual(before);
    });

    it("answers 400 to a GET", async () => {
      const res = await request(server).get("/");
      expect(res.status).toBe(400);
      expect(res.body.issues[0].field).toBe("method");
      expect(await state(dir)).toEqual(before);
    });
  });

  it("refuses a half-configured cloud setting naming the variable, and writes nothing", async () => {
    const dir = freshDataDir();
    process.env.LAKE_BUCKET = "some-bucket";
    try {
      const res = await post({ date: "2024-03-05" });
      expect(res.status).toBe(500);
      expect(res.body.message).toMatch(/GOOGLE_CLOUD_PROJECT/);
      expect(res.body.stack).toBeUndefined();
    } finally {
      delete process.env.LAKE_BUCKET;
    }
    expect(await fileListing(dir)).toEqual([]);
  });

  it("logs one JSON line per stage with the trace id as request id", async () => {
    freshDataDir();
    logLines.length = 0;
    const trace = "0af7651916cd43dd8448eb211c80319c";
    const res = await post({ date: "2024-03-05" }).set(
      "X-Cloud-Trace-Context",
      `${trace}/12345;o=1`,
    );
    expect(res.status).toBe(200);
    expect(res.body.requestId).toBe(trace);
    const entries = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const e of entries) {
      expect(e).toEqual(
        expect.objectContaining({
          requestId: trace,
          function: "generateData",
          severity: expect.stringMatching(/^(INFO|WARNING|ERROR|DEBUG)$/),
          stage: expect.any(String),
          seconds: expect.any(Number),
        }),
      );
    }
    expect(entries.map((e) => e.stage)).toEqual([
      "validated",
      "opened_backends",
      "generate",
      "lake",
      "load",
      "done",
    ]);
    const total = entries.find((e) => e.stage === "done")!.seconds_total as number;
    const sum = entries.reduce((n, e) => n + (e.seconds as number), 0);
    expect(Math.abs(sum - total)).toBeLessThan(0.05);
  });
});

describe("generateData without a configured horizon", () => {
  it("ends the world on the request's last day and warns in the log", async () => {
    freshDataDir();
    const horizon = process.env.GENERATOR_HORIZON_END;
    delete process.env.GENERATOR_HORIZON_END;
    logLines.length = 0;
    try {
      const res = await post({ date: "2024-09-01", dryRun: true });
      expect(res.status).toBe(200);
    } finally {
      process.env.GENERATOR_HORIZON_END = horizon;
    }
    const validated = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.stage === "validated")!;
    expect(validated.severity).toBe("WARNING");
    expect(validated.warning).toMatch(/GENERATOR_HORIZON_END is unset/);
    expect((validated.job as { worldEnd: string }).worldEnd).toBe("2024-09-01");
  });
});

describe("generateData after a failure between two partitions' loads", () => {
  /**
   * Wraps a warehouse so the load of the second partition (counted across calls) throws: the
   * first partition is replaced for real, then the job fails, as a crash between two BigQuery
   * load jobs would leave it.
   */
  function failOnSecondPartition(inner: Warehouse): Warehouse {
    let seen = 0;
    return Object.assign(Object.create(inner) as Warehouse, {
      async replacePartitions(loads: readonly PartitionLoad[]): Promise<LoadReport> {
        const allowed = Math.max(0, Math.min(loads.length, 1 - seen));
        seen += loads.length;
        if (allowed === loads.length) return inner.replacePartitions(loads);
        if (allowed > 0) await inner.replacePartitions(loads.slice(0, allowed));
        throw new Error("injected fault before the second partition's load");
      },
    });
  }

  it("answers 500, leaves each partition wholly old or new, and a retry converges", async () => {
    const range = { startDate: "2024-03-10", endDate: "2024-03-11" };
    const reference = freshDataDir();
    expect((await post({ ...range, seed: 2 })).status).toBe(200);
    const newPrint = await warehousePrint(localPaths(reference).warehouseFile);

    const dir = freshDataDir();
    expect((await post({ ...range, seed: 1 })).status).toBe(200);
    const oldPrint = await warehousePrint(localPaths(dir).warehouseFile);

    setBackendsForTesting(async (config) => {
      const backends = await openBackends(config);
      return { lake: backends.lake, warehouse: failOnSecondPartition(backends.warehouse) };
    });
    const failed = await post({ ...range, seed: 2 });
    setBackendsForTesting(null);
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({
      error: "internal",
      message: expect.stringContaining("injected fault"),
      requestId: expect.any(String),
    });

    const midPrint = await warehousePrint(localPaths(dir).warehouseFile);
    let replaced = 0;
    let stale = 0;
    for (const key of new Set([...Object.keys(oldPrint), ...Object.keys(newPrint)])) {
      const now = midPrint[key];
      const wholeOld = JSON.stringify(now) === JSON.stringify(oldPrint[key]);
      const wholeNew = JSON.stringify(now) === JSON.stringify(newPrint[key]);
      expect({ key, whole: wholeOld || wholeNew }).toEqual({ key, whole: true });
      if (wholeNew && !wholeOld) replaced++;
      if (wholeOld && !wholeNew) stale++;
    }
    // The fault really fell between partitions: the first was replaced, the rest were not.
    expect(replaced).toBe(1);
    expect(stale).toBeGreaterThan(1);

    const retry = await post({ ...range, seed: 2 });
    expect(retry.status).toBe(200);
    const after = await warehousePrint(localPaths(dir).warehouseFile);
    expect(after).toEqual(newPrint);
    for (const p of Object.values(after)) expect(p.keys).toBe(p.rows);
  });
});
