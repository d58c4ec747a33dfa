import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { RAW_TABLE_NAMES, RAW_TABLES } from "../contract";
import { closeDuckDb, openDuckDb, queryRows } from "../warehouse/duckdb";
import { CDNOW_FILE, CDNOW_PUBLISHED } from "../clv/testing/cdnow";
import { loadOrdersFile } from "./loadOrdersFile";
import { parseMapping, readMappingFile } from "./mapping";
import { CDNOW_MAPPING_FILE, RETAIL_FILE, retailMapping } from "./testing/fixtures";

let db: { instance: import("@duckdb/node-api").DuckDBInstance; connection: DuckDBConnection };
let dir: string;
beforeEach(async () => {
  db = await openDuckDb(":memory:");
  dir = await mkdtemp(join(tmpdir(), "orders-loader-"));
});
afterEach(async () => {
  closeDuckDb(db);
  await rm(dir, { recursive: true, force: true });
});

const rows = (sql: string) => queryRows(db.connection, sql);

describe("loadOrdersFile on a line-level file with every cleaning rule's case", () => {
  it("counts each dropped row under the first rule it meets and keeps the rest", async () => {
    const summary = await loadOrdersFile(db.connection, RETAIL_FILE, retailMapping());
    // Rows 7 (no customer), 8 (C-prefixed invoice), 9 (negative quantity), 10 (zero quantity),
    // 11 and 12 (price 0 and -11.06), 13 (EUR, the mapping keeps GBP), 14 (row 5 repeated).
    expect(summary.dropped).toEqual({
      missing_customer: 1,
      cancelled_order: 1,
      returned: 1,
      zero_quantity: 1,
      non_positive_price: 2,
      other_currency: 1,
      duplicate: 1,
    });
    expect(summary.rowsRead).toBe(15);
    expect(summary.rowsKept).toBe(7);
    expect([summary.firstDay, summary.lastDay]).toEqual(["2024-03-01", "2024-03-08"]);
    expect(summary.absentTables).toEqual([
      "promo_calendar",
      "sessions",
      "events",
      "subscriptions",
      "campaign_exposures",
    ]);
    // C002's "Newsletter" is not one of the contract's channels: it takes the default.
    expect(summary.channelDefaulted).toBe(2);
  });

  it("derives users, products, orders and lines with exactly the contract's columns", async () => {
    const summary = await loadOrdersFile(db.connection, RETAIL_FILE, retailMapping(), "byo");
    expect(summary.tables).toEqual({
      users: 4,
      products: 3,
      promo_calendar: 0,
      sessions: 0,
      events: 0,
      orders: 6,
      order_items: 7,
      subscriptions: 0,
      campaign_exposures: 0,
    });
    for (const name of RAW_TABLE_NAMES) {
      const columns = await rows(
        `select column_name from information_schema.columns
         where table_schema = 'byo' and table_name = '${name}' order by ordinal_position`,
      );
      expect(columns.map((c) => c.column_name)).toEqual(
        RAW_TABLES[name].columns.map((c) => c.name),
      );
    }
    expect(
      await rows(
        "select user_id, cast(signup_date as varchar) as d, marketing_source from byo.users order by 1",
      ),
    ).toEqual([
      { user_id: "C001", d: "2024-03-01", marketing_source: "Paid" },
      { user_id: "C002", d: "2024-03-01", marketing_source: "Organic" },
      { user_id: "C003", d: "2024-03-05", marketing_source: "Organic" },
      { user_id: "C004", d: "2024-03-08", marketing_source: "Referral" },
    ]);
    expect(
      await rows(
        `select orders.order_id, orders.user_id, round(sum(line_amount), 2) as revenue, count(*) as lines
         from byo.orders join byo.order_items using (order_id) group by all order by 1`,
      ),
    ).toEqual([
      { order_id: "10001", user_id: "C001", revenue: 12.25, lines: "2" },
      { order_id: "10002", user_id: "C002", revenue: 4.5, lines: "1" },
      { order_id: "10003", user_id: "C001", revenue: 20, lines: "1" },
      { order_id: "10004", user_id: "C003", revenue: 9, lines: "1" },
      { order_id: "10005", user_id: "C002", revenue: 38, lines: "1" },
      { order_id: "10013", user_id: "C004", revenue: 18.5, lines: "1" },
    ]);
    expect(
      await rows("select product_id, product_name, category, price from byo.products order by 1"),
    ).toEqual([
      { product_id: "P1", product_name: "Mug, blue", category: "Kitchen", price: 4.5 },
      { product_id: "P2", product_name: "Tea towel", category: "Kitchen", price: 3.13 },
      { product_id: "P3", product_name: "Lamp", category: "Lighting", price: 19 },
    ]);
    // Every line's amount is its final unit price times its quantity, as the contract's check requires.
    expect(
      await rows(
        "select count(*) as n from byo.order_items where abs(line_amount - final_unit_price * quantity) > 0.005",
      ),
    ).toEqual([{ n: "0" }]);
  });

  it("reads the same rows from Parquet and from headerless semicolon-separated text", async () => {
    await loadOrdersFile(db.connection, RETAIL_FILE, retailMapping(), "from_csv");
    const parquet = join(dir, "retail.parquet");
    const semicolons = join(dir, "retail.txt");
    const source = `read_csv('${RETAIL_FILE}', header = true, all_varchar = true)`;
    await db.connection.run(`copy (select * from ${source}) to '${parquet}' (format parquet)`);
    await db.connection.run(
      `copy (select * from ${source}) to '${semicolons}' (header false, delimiter ';')`,
    );
    const rest = { ...retailMapping(), delimiter: undefined, header: undefined };
    await loadOrdersFile(
      db.connection,
      parquet,
      parseMapping({ ...rest, format: "parquet" }, "p"),
      "from_parquet",
    );
    const names = [
      "inv",
      "sku",
      "desc",
      "cat",
      "qty",
      "at",
      "price",
      "cust",
      "chan",
      "country",
      "cur",
    ];
    await loadOrdersFile(
      db.connection,
      semicolons,
      parseMapping(
        {
          ...rest,
          delimiter: ";",
          header: false,
          columns: names,
          fields: {
            customer_id: "cust",
            order_id: "inv",
            timestamp: "at",
            quantity: "qty",
            unit_price: "price",
            product_id: "sku",
            product_name: "desc",
            category: "cat",
            channel: "chan",
            country: "country",
            currency: "cur",
          },
        },
        "s",
      ),
      "from_text",
    );
    for (const name of RAW_TABLE_NAMES) {
      const key = RAW_TABLES[name].primaryKey;
      const csv = await rows(`select * from from_csv.${name} order by ${key}`);
      expect(await rows(`select * from from_parquet.${name} order by ${key}`)).toEqual(csv);
      expect(await rows(`select * from from_text.${name} order by ${key}`)).toEqual(csv);
    }
  });
});

describe("loadOrdersFile on the CDNOW sample (order level, whitespace, no header)", () => {
  it("keeps all 6,919 rows of the 2,357 customers, one order per customer and day", async () => {
    const summary = await loadOrdersFile(
      db.connection,
      CDNOW_FILE,
      readMappingFile(CDNOW_MAPPING_FILE),
    );
    expect(summary.rowsRead).toBe(CDNOW_PUBLISHED.rows);
    expect(summary.rowsKept).toBe(CDNOW_PUBLISHED.rows);
    expect(summary.tables.users).toBe(CDNOW_PUBLISHED.customers);
    expect(summary.tables.order_items).toBe(CDNOW_PUBLISHED.rows);
    const text = readFileSync(CDNOW_FILE, "utf8").trim().split("\n");
    const days = new Set(text.map((l) => l.trim().split(/\s+/).slice(1, 3).join("|")));
    expect(summary.tables.orders).toBe(days.size);
    const dollars = text.reduce((s, l) => s + Number(l.trim().split(/\s+/)[4]), 0);
    const [loaded] = await rows("select sum(line_amount) as total from orders_src.order_items");
    expect(Number(loaded!.total)).toBeCloseTo(dollars, 6);
  });
});

describe("bad input stops with the file, row and column named, before the schema is touched", () => {
  const schemaExists = async () =>
    (
      await rows(
        "select count(*) as n from information_schema.schemata where schema_name = 'orders_src'",
      )
    )[0]!.n !== "0";

  function variant(name: string, edit: (lines: string[]) => string[]): string {
    const file = join(dir, name);
    writeFileSync(
      file,
      edit(readFileSync(RETAIL_FILE, "utf8").trimEnd().split("\n")).join("\n") + "\n",
    );
    return file;
  }

  it("names a mapped column the file lacks", async () => {
    const mapping = retailMapping();
    const bad = { ...mapping, fields: { ...mapping.fields, customer_id: "CustomerID" } };
    await expect(loadOrdersFile(db.connection, RETAIL_FILE, bad)).rejects.toThrow(
      `${RETAIL_FILE}: column "CustomerID": mapped as customer_id but the file has no such column`,
    );
    expect(await schemaExists()).toBe(false);
  });

  it("names the row and column of an unparseable timestamp", async () => {
    const file = variant("bad-date.csv", (l) =>
      l.map((x, i) => (i === 4 ? x.replace("2024-03-02", "2024-02-30") : x)),
    );
    await expect(loadOrdersFile(db.connection, file, retailMapping())).rejects.toThrow(
      `${file}: row 4, column "InvoiceDate": "2024-02-30 08:00:00" is not a timestamp in the format %Y-%m-%d %H:%M:%S`,
    );
    expect(await schemaExists()).toBe(false);
  });

  it("refuses mixed currencies without a rule, at the first row in another currency", async () => {
    const noRule = { ...retailMapping(), keepCurrency: undefined };
    await expect(loadOrdersFile(db.connection, RETAIL_FILE, noRule)).rejects.toThrow(
      `${RETAIL_FILE}: row 13, column "Currency": currency "EUR" differs from the first row's`,
    );
    expect(await schemaExists()).toBe(false);
  });

  it("names a quantity that is not a number", async () => {
    const file = variant("bad-qty.csv", (l) =>
      l.map((x, i) => (i === 2 ? x.replace(",1,2024", ",one,2024") : x)),
    );
    await expect(loadOrdersFile(db.connection, file, retailMapping())).rejects.toThrow(
      `${file}: row 2, column "Quantity": "one" is not a number`,
    );
  });

  it("refuses an order id shared by two customers", async () => {
    const file = variant("shared-order.csv", (l) =>
      l.map((x, i) => (i === 2 ? x.replace(",C001,", ",C009,") : x)),
    );
    await expect(loadOrdersFile(db.connection, file, retailMapping())).rejects.toThrow(
      `${file}: row 2, column "Invoice": order 10001 belongs to two customers`,
    );
  });

  it("names a file that does not exist", async () => {
    const file = join(dir, "missing.csv");
    await expect(loadOrdersFile(db.connection, file, retailMapping())).rejects.toThrow(
      `${file}: cannot be read`,
    );
  });
});

describe("parseMapping", () => {
  it("lists every problem of a mapping on one line", () => {
    expect(() =>
      parseMapping(
        { format: "delimited", level: "order", fields: { customer_id: "c", timestamp: "t" } },
        "m.json",
      ),
    ).toThrow(
      "m.json: invalid mapping: delimiter is required for delimited text; header is required for delimited text (true/false); fields needs amount, or quantity and unit_price",
    );
  });

  it("refuses an unknown field, so a typo cannot be silently ignored", () => {
    expect(() =>
      parseMapping(
        {
          format: "parquet",
          level: "order",
          fields: { customer_id: "c", timestamp: "t", amount: "a", custmer: "x" },
        },
        "m.json",
      ),
    ).toThrow("m.json: invalid mapping: fields Unrecognized key");
  });
});
