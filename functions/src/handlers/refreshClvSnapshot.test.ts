/**
 * refreshClvSnapshot through the real Functions Framework HTTP layer over the local backends, on
 * the CDNOW sample loaded with the orders loader into a temporary data folder.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { CDNOW_FILE, CDNOW_PUBLISHED } from "../clv/testing/cdnow";
import { readMappingFile } from "../orders/mapping";
import { ordersToWarehouse } from "../orders/ordersToWarehouse";
import { CDNOW_MAPPING_FILE } from "../orders/testing/fixtures";
import { localPaths } from "./backends";
import { setLogSink } from "./log";
import { fileListing, postJson, useLocalBackends, withDuckDbReadOnly } from "./testSupport";

const root = mkdtempSync(join(tmpdir(), "refresh-clv-"));
useLocalBackends({ folderWorld: true });
const data = join(root, "data");
process.env.LOCAL_DATA_DIR = data;
const { lakeDir, warehouseFile } = localPaths(data);

let server: ReturnType<typeof getTestServer>;
beforeAll(async () => {
  setLogSink(() => undefined);
  const warehouse = await DuckDbWarehouse.open({ path: warehouseFile });
  try {
    await ordersToWarehouse(CDNOW_FILE, readMappingFile(CDNOW_MAPPING_FILE), {
      lake: new LocalLake(lakeDir),
      warehouse,
    });
  } finally {
    await warehouse.close();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../index");
  server = getTestServer("refreshClvSnapshot");
}, 120_000);
afterAll(() => rm(root, { recursive: true, force: true }));

const post = (body: unknown) => postJson(server, body);

const fitsOn = (date: string) =>
  withDuckDbReadOnly(warehouseFile, (query) =>
    query(
      `select count(*)::int as n from snapshots.clv_daily where snapshot_date = date '${date}'`,
    ),
  );

describe("refreshClvSnapshot", () => {
  it("fits the models for a snapshot date and answers with the fit, as the papers publish it", async () => {
    const res = await post({ snapshotDate: "1997-09-30" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ snapshotDate: "1997-09-30", status: "fitted" });
    expect(res.body.customers).toBe(CDNOW_PUBLISHED.customers);
    expect(res.body.bgnbd.params.r).toBeCloseTo(0.2426, 3);
    expect(await fitsOn("1997-09-30")).toEqual([{ n: CDNOW_PUBLISHED.customers }]);
  });

  it("takes the last loaded day by default and records the run", async () => {
    const res = await post({});
    expect(res.status).toBe(200);
    expect(res.body.snapshotDate).toBe("1998-06-30");
    const runs = await withDuckDbReadOnly(warehouseFile, (query) =>
      query(
        "select status, days_start::varchar as d from snapshots.pipeline_runs where run_kind = 'refreshClvSnapshot' order by started_at",
      ),
    );
    expect(runs).toEqual([
      { status: "succeeded", d: "1997-09-30" },
      { status: "succeeded", d: "1998-06-30" },
    ]);
  });

  it.each([
    [{ snapshotDate: "1998-07-01" }, /after the last loaded day 1998-06-30/],
    [{ snapshotDate: "1996-12-31" }, /before the world's first day 1997-01-01/],
    [{ snapshotDate: "1997-02-30" }, /YYYY-MM-DD/],
    [{ date: "1997-09-30" }, /not a known field/],
  ])("answers 400 for %j, writing nothing", async (body, message) => {
    // Every byte of the folder: the lake, and the warehouse with its CLV tables and run record.
    const before = await fileListing(data);
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    expect(res.body.message).toMatch(message);
    expect(await fileListing(data)).toEqual(before);
  });

  it("refuses with 409 when the deployment names a world the data does not hold, writing nothing", async () => {
    const before = await fileListing(data);
    process.env.GENERATOR_SEED = "42";
    try {
      const res = await post({ snapshotDate: "1997-09-30" });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe("world_mismatch");
      expect(await fileListing(data)).toEqual(before);
    } finally {
      delete process.env.GENERATOR_SEED;
    }
  });
});
