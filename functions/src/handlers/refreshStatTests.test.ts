/**
 * refreshStatTests through the real Functions Framework HTTP layer over the local backends, on a
 * small shop loaded by generateData and refreshed by the local marts runner.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import request from "supertest";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { runMarts } from "../marts/runMarts";
import { localPaths } from "./backends";
import { setLogSink } from "./log";
import { fileListing, postJson, useLocalBackends, withDuckDbReadOnly } from "./testSupport";

const root = mkdtempSync(join(tmpdir(), "refresh-stats-"));
useLocalBackends();
Object.assign(process.env, {
  LOCAL_DATA_DIR: join(root, "data"),
  GENERATOR_SEED: "42",
  GENERATOR_USERS: "3000",
  GENERATOR_START_DATE: "2024-01-01",
  MAX_BACKFILL_DAYS: "366",
});
const warehouseFile = localPaths(join(root, "data")).warehouseFile;
const LAST_DAY = "2024-09-30";

let stats: ReturnType<typeof getTestServer>;

beforeAll(async () => {
  setLogSink(() => undefined);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../index");
  const generate = getTestServer("generateData");
  stats = getTestServer("refreshStatTests");
  const res = await request(generate)
    .post("/")
    .send({ startDate: "2024-01-01", endDate: LAST_DAY });
  expect(res.status).toBe(200);
  const warehouse = await DuckDbWarehouse.open({ path: warehouseFile });
  try {
    await runMarts(warehouse, { runDate: LAST_DAY });
  } finally {
    await warehouse.close();
  }
}, 300_000);
afterAll(() => rm(root, { recursive: true, force: true }));

const post = (body: unknown) => postJson(stats, body);

const tableState = () =>
  withDuckDbReadOnly(warehouseFile, async (query) => {
    const [row] = await query(
      `select count(*) as n, md5(string_agg(test_id || coalesce(cast(p_value as varchar), ''), '|' order by test_id)) as h
       from marts.dm_stat_tests`,
    );
    return `${String(row!.n)} ${String(row!.h)}`;
  });

describe("refreshStatTests", () => {
  it("tests the last loaded day by default, writes the same table however often it runs, and records the run", async () => {
    const first = await post({});
    expect(first.status).toBe(200);
    expect(first.body.runDate).toBe(LAST_DAY);
    expect(first.body.tests).toBeGreaterThan(0);
    const once = await tableState();
    const second = await post({ runDate: LAST_DAY });
    expect(second.status).toBe(200);
    expect(await tableState()).toBe(once);
    // One record per call, each under its own request id.
    const ids = [first.body.requestId, second.body.requestId] as string[];
    for (const id of ids) expect(id).toMatch(/^[\w-]+$/);
    const runs = await withDuckDbReadOnly(warehouseFile, (query) =>
      query(
        `select run_kind, status, cast(days_start as varchar) as d from snapshots.pipeline_runs where run_id in ('${ids.join("', '")}') order by started_at`,
      ),
    );
    expect(runs).toEqual([
      { run_kind: "refreshStatTests", status: "succeeded", d: LAST_DAY },
      { run_kind: "refreshStatTests", status: "succeeded", d: LAST_DAY },
    ]);
  });

  it("refuses a date after the last loaded day, a malformed date and an unknown field with 400, writing nothing", async () => {
    const before = await fileListing(join(root, "data"));
    const future = await post({ runDate: "2999-12-31" });
    expect(future.status).toBe(400);
    expect(future.body.issues).toEqual([
      { field: "runDate", message: `2999-12-31 is after the last loaded day ${LAST_DAY}` },
    ]);
    const malformed = await post({ runDate: "2024-02-30" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.issues[0].field).toBe("runDate");
    const unknown = await post({ run_date: LAST_DAY });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues[0].field).toBe("run_date");
    expect(await fileListing(join(root, "data"))).toEqual(before);
  });

  it("refuses with 409 when the deployment names another world than the data holds", async () => {
    process.env.GENERATOR_SEED = "7";
    try {
      const res = await post({});
      expect(res.status).toBe(409);
    } finally {
      process.env.GENERATOR_SEED = "42";
    }
  });
});
