/**
 * loadOrders through the real Functions Framework HTTP layer over the local backends: a file put
 * under the lake's incoming/ prefix, loaded by a direct request or by a Pub/Sub push of the
 * bucket's notification, and every kind of bad input refused before anything is written.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { RETAIL_FILE } from "../orders/testing/fixtures";
import { localPaths } from "./backends";
import { setLogSink } from "./log";
import { fileListing, postJson, useLocalBackends, withDuckDbReadOnly } from "./testSupport";

const root = mkdtempSync(join(tmpdir(), "load-orders-"));
useLocalBackends({ folderWorld: true });
let folder = 0;
/** A fresh data folder with the retail fixture and its mapping under lake/incoming/. */
function freshFolder(): string {
  const data = join(root, `data-${(folder += 1)}`);
  const incoming = join(localPaths(data).lakeDir, "incoming");
  mkdirSync(incoming, { recursive: true });
  copyFileSync(RETAIL_FILE, join(incoming, "retail.csv"));
  copyFileSync(
    RETAIL_FILE.replace(/\.csv$/, ".mapping.json"),
    join(incoming, "retail.mapping.json"),
  );
  process.env.LOCAL_DATA_DIR = data;
  return data;
}

let server: ReturnType<typeof getTestServer>;
beforeAll(() => {
  setLogSink(() => undefined);
  process.env.LOCAL_DATA_DIR = join(root, "unused");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../index");
  server = getTestServer("loadOrders");
});
afterAll(() => rm(root, { recursive: true, force: true }));

const post = (body: unknown) => postJson(server, body);

/** A Pub/Sub push of the bucket's notification for one object. */
const push = (objectId: string, eventType = "OBJECT_FINALIZE", bucketId = "local") => ({
  message: {
    attributes: { bucketId, objectId, eventType, payloadFormat: "JSON_API_V1" },
    data: Buffer.from("{}").toString("base64"),
    messageId: "1",
    publishTime: "2024-03-09T00:00:00Z",
  },
  subscription: "projects/p/subscriptions/orders-incoming-dev",
});

/**
 * What the folder holds outside incoming/: the lake's raw files, and the warehouse's tables with
 * their row counts and a hash of their rows (a request may open the warehouse, which creates an
 * empty file; it must not create a table or change one).
 */
async function written(data: string): Promise<string[]> {
  const lake = (await fileListing(localPaths(data).lakeDir)).filter(
    (f) => !f.startsWith("incoming/"),
  );
  const file = localPaths(data).warehouseFile;
  const tables = existsSync(file)
    ? await withDuckDbReadOnly(file, async (query) => {
        const names = await query(
          "select schema_name || '.' || table_name as t from duckdb_tables() order by 1",
        );
        const prints: string[] = [];
        for (const { t } of names) {
          const [row] = await query(
            `select count(*) as n, md5(coalesce(string_agg(cast(r as varchar), '|' order by cast(r as varchar)), '')) as h from ${String(t)} as r`,
          );
          prints.push(`${String(t)} ${String(row!.n)} ${String(row!.h)}`);
        }
        return prints;
      })
    : [];
  return [...lake, ...tables];
}

describe("loadOrders", () => {
  it("loads a file from incoming/ with the mapping beside it, and records the run", async () => {
    const data = freshFolder();
    const res = await post({ file: "incoming/retail.csv" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "loaded",
      file: "incoming/retail.csv",
      mapping: "incoming/retail.mapping.json",
      rowsRead: 15,
      rowsKept: 7,
      absentTables: ["promo_calendar", "sessions", "events", "subscriptions", "campaign_exposures"],
      firstDay: "2024-03-01",
      lastDay: "2024-03-08",
    });
    const rows = await withDuckDbReadOnly(localPaths(data).warehouseFile, (query) =>
      query(
        `select (select count(*)::int from raw.order_items) as lines,
                (select source from raw.world_manifest) as source,
                (select string_agg(run_kind || ':' || status, ',') from snapshots.pipeline_runs) as runs`,
      ),
    );
    expect(rows).toEqual([{ lines: 7, source: "orders", runs: "loadOrders:succeeded" }]);
  });

  it("loads the file a Pub/Sub push names, and ignores the push of its mapping", async () => {
    freshFolder();
    const mappingPush = await post(push("incoming/retail.mapping.json"));
    expect(mappingPush.status).toBe(200);
    expect(mappingPush.body).toMatchObject({
      status: "ignored",
      reason: expect.stringMatching(/mapping/),
    });
    const filePush = await post(push("incoming/retail.csv"));
    expect(filePush.status).toBe(200);
    expect(filePush.body).toMatchObject({ status: "loaded", rowsKept: 7 });
  });

  it("takes a mapping given inline", async () => {
    freshFolder();
    const mapping = JSON.parse(
      readFileSync(RETAIL_FILE.replace(/\.csv$/, ".mapping.json"), "utf8"),
    ) as object;
    const res = await post({ file: "incoming/retail.csv", mapping });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mapping: "(inline)", rowsKept: 7 });
  });

  it.each([
    [{ file: "raw/orders/x.parquet" }, "file", /under incoming\//],
    [{ file: "incoming/../raw/x.csv" }, "file", /plain path/],
    [{ file: "incoming/retail.csv", extra: 1 }, "extra", /not a known field/],
    [{ file: "incoming/missing.csv" }, "mapping", /no such object/],
    [
      { file: "incoming/missing.csv", mapping: "incoming/retail.mapping.json" },
      "file",
      /no such object/,
    ],
    [
      { file: "incoming/retail.csv", mapping: "incoming/none.mapping.json" },
      "mapping",
      /no such object/,
    ],
    [
      { file: "incoming/retail.csv", mapping: { format: "delimited" } },
      "mapping",
      /invalid mapping/,
    ],
    [push("raw/orders/x.parquet"), "message.attributes.objectId", /under incoming\//],
  ])("answers 400 for %j naming %s, and writes nothing", async (body, field, message) => {
    const data = freshFolder();
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    const issue = (res.body.issues as { field: string; message: string }[]).find(
      (i) => i.field === field,
    );
    expect(issue?.message).toMatch(message);
    expect(await written(data)).toEqual([]);
  });

  it("names the lake path, the row and the column of bad input in the file, and writes nothing", async () => {
    const data = freshFolder();
    const incoming = join(localPaths(data).lakeDir, "incoming");
    writeFileSync(
      join(incoming, "bad.csv"),
      "Invoice,StockCode,Description,Category,Quantity,InvoiceDate,Price,Customer ID,Channel,Country,Currency\n" +
        "1,P1,Mug,Kitchen,1,2024-03-01 09:15:00,4.50,C001,Paid,UK,GBP\n" +
        "2,P1,Mug,Kitchen,1,yesterday,4.50,C002,Paid,UK,GBP\n",
    );
    copyFileSync(join(incoming, "retail.mapping.json"), join(incoming, "bad.mapping.json"));
    const res = await post({ file: "incoming/bad.csv" });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      {
        field: "file",
        message:
          'incoming/bad.csv: row 2, column "InvoiceDate": "yesterday" is not a timestamp in the format %Y-%m-%d %H:%M:%S',
      },
    ]);
    expect(await written(data)).toEqual([]);
  });

  it("refuses with 409 a folder that holds another world (another file), writing nothing new", async () => {
    const data = freshFolder();
    expect((await post({ file: "incoming/retail.csv" })).status).toBe(200);
    const incoming = join(localPaths(data).lakeDir, "incoming");
    // The same shop a week later: another first day, so another world.
    writeFileSync(
      join(incoming, "later.csv"),
      "Invoice,StockCode,Description,Category,Quantity,InvoiceDate,Price,Customer ID,Channel,Country,Currency\n" +
        "9,P1,Mug,Kitchen,1,2024-04-01 09:15:00,4.50,C001,Paid,UK,GBP\n",
    );
    copyFileSync(join(incoming, "retail.mapping.json"), join(incoming, "later.mapping.json"));
    const before = await written(data);
    const res = await post({ file: "incoming/later.csv" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      error: "world_mismatch",
      message: expect.stringMatching(/startDate/),
    });
    expect(await written(data)).toEqual(before);
  });
});
