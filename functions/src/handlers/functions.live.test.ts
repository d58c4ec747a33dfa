/**
 * The live suite: the handler scenarios against a real Google Cloud project (GCS + BigQuery).
 * It runs only when the cloud variables of FUNCTION_ENV and credentials are present, for example
 *
 *   GOOGLE_CLOUD_PROJECT=my-proj LAKE_BUCKET=my-proj-lake BIGQUERY_LOCATION=EU \
 *   RAW_DATASET=raw_dev MARTS_DATASET=marts_dev SNAPSHOTS_DATASET=snapshots_dev \
 *   npm run test:live
 *
 * with Application Default Credentials (`gcloud auth application-default login`, or Workload
 * Identity in CI). Otherwise every test is skipped and the reason is printed once. It writes one
 * day of the stack's world (the 65th, 2024-03-05 by default) and the RFM snapshot of the last
 * loaded day into the datasets it is given: point it at a dev or preview stack, never prod. The
 * world comes from the environment as it does in the deployed functions (the GENERATOR_*
 * variables of FUNCTION_ENV, defaults when unset): give the stack's own, or the datasets refuse
 * the writes as another world (409).
 *
 * `loadOrders` is checked live too: a file uploaded under the lake's `incoming/` prefix with bad
 * input is refused with its row and column, and a good one is refused as another world (the
 * datasets hold the shop); nothing is written either way. Loading a file for real replaces the
 * stack's world, so it runs only with LIVE_ORDERS_LOAD=1, on datasets that hold no world (a
 * fresh preview stack). The uploads also reach the stack's own `loadOrders` through the bucket's
 * notification: expect the refused ones on its dead-letter subscription and in its error alert.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { BigQuery } from "@google-cloud/bigquery";
import { Storage } from "@google-cloud/storage";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import request from "supertest";
import { BigQueryWarehouse } from "../backends/bigqueryWarehouse";
import {
  backendConfigFromEnv,
  CLOUD_REQUIRED_VARS,
  generatorDefaultsFromEnv,
} from "../backends/fromEnv";
import { GcsLake } from "../backends/gcsLake";
import { RETAIL_FILE } from "../orders/testing/fixtures";
import { utcDay } from "./generateRequest";
import { setLogSink } from "./log";

function skipReason(): string | null {
  const missing = CLOUD_REQUIRED_VARS.filter((n) => !process.env[n]);
  if (missing.length > 0) return `set ${missing.join(", ")}`;
  const adc = join(homedir(), ".config", "gcloud", "application_default_credentials.json");
  const hasCredentials =
    Boolean(process.env.GOOGLE_APPLICATION_CREDENTIALS) ||
    existsSync(adc) ||
    Boolean(process.env.K_SERVICE) ||
    Boolean(process.env.GITHUB_ACTIONS && process.env.ACTIONS_ID_TOKEN_REQUEST_URL);
  if (!hasCredentials) return "no Google credentials found (Application Default Credentials)";
  return null;
}

const reason = skipReason();
const live = reason === null ? describe : describe.skip;
if (reason !== null) {
  console.log(
    `Live cloud suite skipped: ${reason}. See functions/src/handlers/functions.live.test.ts.`,
  );
}

/** A day of the world the environment names: its 65th, well inside any stack's history. */
const DAY = utcDay(new Date(`${generatorDefaultsFromEnv().startDate}T00:00:00Z`), 64);

live("live: GCS lake", () => {
  const config = () => {
    const c = backendConfigFromEnv();
    if (c.kind !== "cloud") throw new Error("expected cloud configuration");
    return c;
  };
  const prefix = `live-tests/${randomUUID()}/`;

  it("uploads, replaces, lists and deletes under a prefix", async () => {
    const c = config();
    const lake = new GcsLake(new Storage({ projectId: c.project }), c.bucket);
    const file = join(mkdtempSync(join(tmpdir(), "live-")), "part.parquet");
    writeFileSync(file, "first");
    await lake.putFile(`${prefix}a/part-0-of-1.parquet`, file);
    writeFileSync(file, "second!");
    await lake.putFile(`${prefix}a/part-0-of-1.parquet`, file);
    expect(await lake.list(prefix)).toEqual([{ path: `${prefix}a/part-0-of-1.parquet`, bytes: 7 }]);
    expect(await lake.deletePrefix(prefix)).toBe(1);
    expect(await lake.list(prefix)).toEqual([]);
  });
});

live("live: generateData and refreshRfmSnapshot on BigQuery", () => {
  let warehouse: BigQueryWarehouse;
  let generate: ReturnType<typeof getTestServer>;
  let refresh: ReturnType<typeof getTestServer>;

  beforeAll(async () => {
    setLogSink(() => undefined);
    const c = backendConfigFromEnv();
    if (c.kind !== "cloud") throw new Error("expected cloud configuration");
    warehouse = new BigQueryWarehouse(
      new BigQuery({ projectId: c.project, location: c.location }),
      c,
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("../index");
    generate = getTestServer("generateData");
    refresh = getTestServer("refreshRfmSnapshot");
  });

  async function dayCounts(): Promise<Record<string, number>> {
    const rows = await warehouse.query<{ t: string; n: number; k: number }>(
      `select 'events' as t, count(*) as n, count(distinct event_id) as k
       from raw.events where date(event_ts) = @d
       union all
       select 'orders', count(*), count(distinct order_id) from raw.orders where date(order_ts) = @d
       union all
       select 'sessions', count(*), count(distinct session_id)
       from raw.sessions where date(session_start_ts) = @d`,
      { d: { date: DAY } },
    );
    for (const r of rows) expect(Number(r.k)).toBe(Number(r.n));
    return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
  }

  it("loads a day, and loading it again leaves the same rows", async () => {
    // The request names the day only: the data carries its world, and the function its scale.
    const first = await request(generate).post("/").send({ date: DAY });
    expect(first.status).toBe(200);
    const once = await dayCounts();
    expect(once.sessions).toBeGreaterThan(0);
    const second = await request(generate).post("/").send({ date: DAY });
    expect(second.status).toBe(200);
    expect(await dayCounts()).toEqual(once);
  });

  it("rejects bad input with 400 and changes nothing", async () => {
    const before = await dayCounts();
    const unknown = await request(generate).post("/").send({ date: DAY, extra: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues[0].field).toBe("extra");
    // A scale of its own is allowed on a dry run only.
    const scaled = await request(generate).post("/").send({ date: DAY, users: 300 });
    expect(scaled.status).toBe(400);
    expect(scaled.body.issues[0].field).toBe("users");
    expect(await dayCounts()).toEqual(before);
  });

  it("keeps one RFM snapshot for a date however often it runs", async () => {
    // No date: the last loaded day, the one date a used stack's history always takes (it refuses
    // dates after the data and before its latest snapshot).
    const dataThrough = (await warehouse.readManifest())?.dataThrough ?? null;
    if (dataThrough === null) throw new Error("the datasets hold no loaded day");
    for (let i = 0; i < 2; i++) {
      const res = await request(refresh).post("/").send({});
      expect(res.status).toBe(200);
      expect(res.body.snapshotDate).toBe(dataThrough);
    }
    const [row] = await warehouse.query<{ n: number; u: number }>(
      `select count(*) as n, count(distinct user_id) as u
       from snapshots.rfm_daily where snapshot_date = @d`,
      { d: { date: dataThrough } },
    );
    expect(Number(row!.n)).toBeGreaterThan(0);
    expect(Number(row!.n)).toBe(Number(row!.u));
  });
});

live("live: loadOrders from the lake's incoming/ prefix", () => {
  let warehouse: BigQueryWarehouse;
  let lake: GcsLake;
  let load: ReturnType<typeof getTestServer>;
  const prefix = `incoming/live-tests/${randomUUID()}/`;
  const scratch = mkdtempSync(join(tmpdir(), "live-orders-"));

  /** Uploads `text` as `incoming/.../<name>` and returns its lake path. */
  async function upload(name: string, text: string): Promise<string> {
    const file = join(scratch, name);
    writeFileSync(file, text);
    await lake.putFile(`${prefix}${name}`, file);
    return `${prefix}${name}`;
  }

  /** What a refused load must leave as it was: the world and the orders. */
  async function state(): Promise<unknown> {
    const manifest = await warehouse.readManifest();
    const [orders] = await warehouse
      .query<{ n: number }>("select count(*) as n from raw.orders")
      .catch(() => [{ n: -1 }]);
    return { world: manifest?.worldId ?? null, orders: Number(orders!.n) };
  }

  beforeAll(async () => {
    setLogSink(() => undefined);
    const c = backendConfigFromEnv();
    if (c.kind !== "cloud") throw new Error("expected cloud configuration");
    warehouse = new BigQueryWarehouse(
      new BigQuery({ projectId: c.project, location: c.location }),
      c,
    );
    lake = new GcsLake(new Storage({ projectId: c.project }), c.bucket);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("../index");
    load = getTestServer("loadOrders");
    await upload(
      "retail.mapping.json",
      readFileSync(RETAIL_FILE.replace(/\.csv$/, ".mapping.json"), "utf8"),
    );
    await upload("retail.csv", readFileSync(RETAIL_FILE, "utf8"));
  });
  afterAll(async () => {
    await lake.deletePrefix(prefix);
  });

  it("refuses a file with an unparseable timestamp with 400, naming row and column, and writes nothing", async () => {
    const before = await state();
    const lines = readFileSync(RETAIL_FILE, "utf8").split("\n");
    lines[2] = lines[2]!.replace(/2024-03-01 09:15:00/, "first of March");
    const bad = await upload("bad.csv", lines.join("\n"));
    const res = await request(load)
      .post("/")
      .send({ file: bad, mapping: `${prefix}retail.mapping.json` });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].field).toBe("file");
    expect(res.body.issues[0].message).toMatch(
      new RegExp(`^${bad}: row 2, column "InvoiceDate": `),
    );
    expect(await state()).toEqual(before);
  });

  (process.env.LIVE_ORDERS_LOAD === "1" ? it : it.skip)(
    "loads the file into the raw tables with the world manifest (LIVE_ORDERS_LOAD=1)",
    async () => {
      const res = await request(load)
        .post("/")
        .send({ file: `${prefix}retail.csv` });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe("loaded");
      const manifest = await warehouse.readManifest();
      expect(manifest?.source).toBe("orders");
      expect(await state()).toEqual({ world: manifest!.worldId, orders: res.body.tables.orders });
    },
  );

  (process.env.LIVE_ORDERS_LOAD === "1" ? it.skip : it)(
    "refuses a good file with 409 when the datasets hold the shop, and writes nothing",
    async () => {
      const before = await state();
      const res = await request(load)
        .post("/")
        .send({ file: `${prefix}retail.csv` });
      expect(res.status).toBe(409);
      expect(await state()).toEqual(before);
    },
  );
});
