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
import {
  fileListing,
  postJson,
  rowsPerTable,
  type WarehousePrint,
  useLocalBackends,
  warehousePrint,
} from "./testSupport";

const root = mkdtempSync(join(tmpdir(), "generate-data-"));
useLocalBackends();
Object.assign(process.env, {
  LOCAL_DATA_DIR: join(root, "unused"),
  GENERATOR_SEED: "42",
  // A scale of 3,000 over two years: about 400 users by March 2024.
  GENERATOR_USERS: "3000",
  GENERATOR_START_DATE: "2024-01-01",
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

const post = (body: unknown) => postJson(server, body);

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
    expect(first.body.world).toEqual(
      expect.objectContaining({ seed: 42, users: 3000, startDate: "2024-01-01" }),
    );
    expect(first.body.dataThrough).toBe("2024-03-05");
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
      ["too few users", { date: "2024-03-05", users: 1, dryRun: true }, "users"],
      ["too many users", { date: "2024-03-05", users: 50_000_000, dryRun: true }, "users"],
      ["another world's seed without a dry run", { date: "2024-03-05", seed: 7 }, "seed"],
      ["a malformed date", { date: "2024-03-32" }, "date"],
      ["a day that is not complete yet", { date: "2999-01-01" }, "date"],
      ["a day before the world's first day", { date: "2023-12-31" }, "date"],
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

    it("answers 415 for a body that is not JSON, whatever its content type", async () => {
      const res = await request(server)
        .post("/")
        .set("Content-Type", "text/plain")
        .send("date=2024-03-05");
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        error: "unsupported_media_type",
        message: expect.stringMatching(/Content-Type: text\/plain\) is not JSON/),
        requestId: expect.any(String),
      });
      expect(await state(dir)).toEqual(before);
    });

    it("reads a JSON body sent without a JSON content type, never ignoring it", async () => {
      // curl -d sends a form type; the body still says dryRun, so nothing is written.
      const res = await request(server)
        .post("/")
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send('{"date":"2024-03-05","dryRun":true}');
      expect(res.status).toBe(200);
      expect(res.body.dryRun).toBe(true);
      expect(res.body.dateRange).toEqual({ start: "2024-03-05", end: "2024-03-05" });
      expect(await state(dir)).toEqual(before);
    });

    it("answers malformed JSON with the same JSON 400 as other bad input, request id included", async () => {
      const res = await request(server)
        .post("/")
        .set("Content-Type", "application/json")
        .set("X-Cloud-Trace-Context", "0af7651916cd43dd8448eb211c80319c/1;o=1")
        .send('{"date": "2024-03-05"');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: "invalid_request",
        message: expect.stringMatching(/^Invalid request: body: is not valid JSON/),
        issues: [{ field: "body", message: "is not valid JSON" }],
        requestId: "0af7651916cd43dd8448eb211c80319c",
      });
      expect(res.text).not.toMatch(/\n\s+at /);
      expect(await state(dir)).toEqual(before);
    });

    it("answers a body it cannot decode in JSON too, never an HTML page with a stack", async () => {
      const latin1 = await request(server)
        .post("/")
        .set("Content-Type", "application/json; charset=latin1")
        .send('{"date":"2024-03-05"}');
      expect(latin1.status).toBe(415);
      expect(latin1.body).toEqual({
        error: "unsupported_media_type",
        message: expect.stringMatching(/^Unsupported body: unsupported charset "LATIN1"/),
        requestId: expect.any(String),
      });
      const notGzip = await request(server)
        .post("/")
        .set("Content-Type", "application/json")
        .set("Content-Encoding", "gzip")
        .send('{"date":"2024-03-05"}');
      expect(notGzip.status).toBe(400);
      expect(notGzip.body).toEqual({
        error: "invalid_request",
        message: expect.stringMatching(/^Invalid request: body: cannot be read/),
        issues: [{ field: "body", message: "cannot be read" }],
        requestId: expect.any(String),
      });
      for (const res of [latin1, notGzip]) expect(res.text).not.toMatch(/\n\s+at /);
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

describe("generateData over data of another world", () => {
  it("answers 409 naming what differs, and writes nothing", async () => {
    const dir = freshDataDir();
    expect((await post({ date: "2024-03-05" })).status).toBe(200);
    const before = await state(dir);
    process.env.GENERATOR_USERS = "500";
    try {
      const res = await post({ date: "2024-03-06" });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        error: "world_mismatch",
        message: expect.stringMatching(/holds another world: users 3000 \(asked 500\)/),
        requestId: expect.any(String),
      });
    } finally {
      process.env.GENERATOR_USERS = "3000";
    }
    expect(await state(dir)).toEqual(before);
  });

  it("uses a local folder's own world when the environment names none", async () => {
    const dir = freshDataDir();
    expect((await post({ date: "2024-03-05" })).status).toBe(200);
    const saved = { ...process.env };
    for (const name of ["GENERATOR_SEED", "GENERATOR_USERS", "GENERATOR_START_DATE"])
      delete process.env[name];
    try {
      const res = await post({ date: "2024-03-06" });
      expect(res.status).toBe(200);
      expect(res.body.world).toEqual(
        expect.objectContaining({ seed: 42, users: 3000, from: "data" }),
      );
    } finally {
      process.env = saved;
    }
    expect(Object.keys(await warehousePrint(localPaths(dir).warehouseFile))).toContain(
      "sessions/2024-03-06",
    );
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
    const dir = freshDataDir();
    expect((await post(range)).status).toBe(200);
    const newPrint = await warehousePrint(localPaths(dir).warehouseFile);
    // The old state: every partition of the range thinned out, as an earlier load might have left it.
    const backends = await openBackends({ kind: "local", dataDir: dir });
    for (const [table, key] of [
      ["sessions", "session_id"],
      ["events", "event_id"],
      ["users", "user_id"],
    ])
      await backends.warehouse.execute(
        `delete from raw.${table} where substr(${key}, length(${key}), 1) in ('0', '2', '4', '6', '8')`,
      );
    await backends.warehouse.close();
    const oldPrint = await warehousePrint(localPaths(dir).warehouseFile);

    setBackendsForTesting(async (config) => {
      const opened = await openBackends(config);
      return { lake: opened.lake, warehouse: failOnSecondPartition(opened.warehouse) };
    });
    const failed = await post(range);
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

    const retry = await post(range);
    expect(retry.status).toBe(200);
    const after = await warehousePrint(localPaths(dir).warehouseFile);
    expect(after).toEqual(newPrint);
    for (const p of Object.values(after)) expect(p.keys).toBe(p.rows);
  });
});
