import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckdbCreateTable, RAW_TABLES } from "../contract";
import { LocalLake } from "../backends/localLake";
import { fileListing } from "../handlers/testSupport";
import { closeDuckDb, openDuckDb, queryRows } from "../warehouse/duckdb";
import { dayBoundsSql, dayRangeSql, nextDay } from "../warehouse/daySql";
import { splitByWeight, writeLake } from "./writeLake";

let dir: string;
let db: Awaited<ReturnType<typeof openDuckDb>>;

const DAYS = ["2024-01-01", "2024-01-02", "2024-01-03"];

/** A tiny generated shop: orders on two of three days (one near midnight), two products. */
async function generated(connection: DuckDBConnection): Promise<void> {
  await connection.run("create schema if not exists gen");
  await connection.run(duckdbCreateTable(RAW_TABLES.orders, "gen"));
  await connection.run(duckdbCreateTable(RAW_TABLES.products, "gen"));
  await connection.run(`insert into gen.orders values
    ('O3', 'U2', timestamptz '2024-01-03 00:00:01+00', true, 0.2, 'P1'),
    ('O2', 'U1', timestamptz '2024-01-01 23:59:59+00', false, 0.0, null),
    ('O1', 'U1', timestamptz '2024-01-01 10:00:00+00', false, 0.0, null)`);
  await connection.run(`insert into gen.products values
    ('PR2', 'Mug', 'Home', 'Acme', 9.5, 4.1, false),
    ('PR1', 'Lamp', 'Home', 'Acme', 30.0, 3.9, true)`);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "write-lake-"));
  db = await openDuckDb(":memory:");
  await generated(db.connection);
});
afterEach(async () => {
  closeDuckDb(db);
  await rm(dir, { recursive: true, force: true });
});

const tables = ["orders", "products"] as const;
const ASOF = "2024-01-03";

describe("writeLake", () => {
  it("writes one file per day, shard and batch in the lake layout, zero-row files for empty days", async () => {
    const lake = new LocalLake(join(dir, "lake"));
    const written = await writeLake(db, lake, { days: DAYS, tables, asOf: ASOF });
    expect(written.files).toEqual([
      "raw/orders/dt=2024-01-01/part-0-of-1-b0.parquet",
      "raw/orders/dt=2024-01-02/part-0-of-1-b0.parquet",
      "raw/orders/dt=2024-01-03/part-0-of-1-b0.parquet",
      "raw/products/asof=2024-01-03/part-0-of-1-b0.parquet",
    ]);
    const counts = await queryRows<{ file: string; n: number }>(
      db.connection,
      `select parse_path(filename)[-2] as file, count(*)::int as n
       from read_parquet('${lake.root}/raw/orders/*/*.parquet', filename = true) group by 1 order by 1`,
    );
    expect(counts).toEqual([
      { file: "dt=2024-01-01", n: 2 },
      { file: "dt=2024-01-03", n: 1 },
    ]);
    const empty = await queryRows(db.connection, `select * from '${lake.uri(written.files[1]!)}'`);
    expect(empty).toEqual([]);
  });

  it("reads a table with a day source per share, and still writes only each share's days", async () => {
    const lake = new LocalLake(join(dir, "lake"));
    const asked: string[] = [];
    // A careless source: it returns every order whatever days it is asked for.
    const written = await writeLake(db, lake, {
      days: DAYS,
      asOf: ASOF,
      tables: ["orders"],
      rowsPerCopy: 1,
      parallelism: 1,
      daySources: {
        orders: (first, last) => {
          asked.push(`${first}..${last}`);
          return "select * from gen.orders";
        },
      },
    });
    expect(asked.length).toBeGreaterThan(1);
    expect(written.files).toHaveLength(3);
    const days = await queryRows<{ file: string; day: string; n: number }>(
      db.connection,
      `select parse_path(filename)[-2] as file, strftime(order_ts at time zone 'UTC', '%Y-%m-%d') as day,
              count(*)::int as n
       from read_parquet('${lake.root}/raw/orders/*/*.parquet', filename = true) group by all order by 1`,
    );
    expect(days).toEqual([
      { file: "dt=2024-01-01", day: "2024-01-01", n: 2 },
      { file: "dt=2024-01-03", day: "2024-01-03", n: 1 },
    ]);
  });

  it("writes a table balanced like another without counting it first, and reports the rows its COPYs wrote", async () => {
    await db.connection.run(duckdbCreateTable(RAW_TABLES.order_items, "gen"));
    // A row on a day the run does not own: counted first it is refused; the day source, asked only
    // for the run's days, never computes it.
    await db.connection.run(
      "insert into gen.orders values ('O9', 'U3', timestamptz '2024-01-09 12:00:00+00', false, 0.0, null)",
    );
    const daySources = {
      orders: (first: string, last: string) =>
        `select * from gen.orders where ${dayRangeSql(RAW_TABLES.orders, first, last)}`,
    };
    const options = { days: DAYS, asOf: ASOF, tables: ["orders"] as const, daySources };
    await expect(writeLake(db, new LocalLake(join(dir, "counted")), options)).rejects.toThrow(
      /outside the run's date range \(2024-01-09: 1\)/,
    );
    const balanced = new LocalLake(join(dir, "balanced"));
    const written = await writeLake(db, balanced, {
      ...options,
      balancedLike: { orders: "order_items" },
      rowsPerCopy: 1,
      parallelism: 2,
    });
    expect(written.rows).toEqual({ orders: 3 });

    // The same files, byte for byte, as a counted write of the same rows.
    await db.connection.run("delete from gen.orders where order_id = 'O9'");
    const counted = new LocalLake(join(dir, "counted"));
    const expected = await writeLake(db, counted, options);
    expect(expected.rows).toEqual({ orders: 3 });
    expect(written.files).toEqual(expected.files);
    for (const path of expected.files)
      expect((await readFile(balanced.uri(path))).equals(await readFile(counted.uri(path)))).toBe(
        true,
      );
  });

  it("balances a table like another only when it has a day source", async () => {
    await expect(
      writeLake(db, new LocalLake(join(dir, "lake")), {
        days: DAYS,
        asOf: ASOF,
        tables: ["orders"],
        balancedLike: { orders: "products" },
      }),
    ).rejects.toThrow(/orders can be balanced like products only with a day source of its own/);
  });

  it("refuses to balance a table like one that is itself balanced like another", async () => {
    const daySource = (table: string) => (first: string, last: string) =>
      `select * from gen.${table} where ${dayRangeSql(RAW_TABLES.orders, first, last)}`;
    const lake = new LocalLake(join(dir, "lake"));
    await expect(
      writeLake(db, lake, {
        days: DAYS,
        asOf: ASOF,
        tables: ["orders"],
        daySources: { orders: daySource("orders"), sessions: daySource("orders") },
        balancedLike: { orders: "sessions", sessions: "events" },
      }),
    ).rejects.toThrow(
      /orders can be balanced like sessions only if sessions is counted, not balanced like events/,
    );
    expect(await fileListing(join(dir, "lake"))).toEqual([]);
  });

  it("keeps the generated table's row order (no sort) and timestamps as UTC instants", async () => {
    const lake = new LocalLake(join(dir, "lake"));
    await writeLake(db, lake, { days: DAYS, tables, asOf: ASOF });
    const file = lake.uri("raw/orders/dt=2024-01-01/part-0-of-1-b0.parquet");
    expect(await queryRows(db.connection, `select order_id, order_ts from '${file}'`)).toEqual([
      { order_id: "O2", order_ts: "2024-01-01 23:59:59+00" },
      { order_id: "O1", order_ts: "2024-01-01 10:00:00+00" },
    ]);
    // Tables replaced whole are small and sorted by primary key.
    const products = lake.uri("raw/products/asof=2024-01-03/part-0-of-1-b0.parquet");
    expect(await queryRows(db.connection, `select product_id from '${products}'`)).toEqual([
      { product_id: "PR1" },
      { product_id: "PR2" },
    ]);
    const schema = await queryRows<{ name: string; logical_type: string }>(
      db.connection,
      `select name, cast(logical_type as varchar) as logical_type from parquet_schema('${file}') where name = 'order_ts'`,
    );
    expect(schema[0]!.logical_type).toMatch(/isAdjustedToUTC=1/);
  });

  it("writes byte-identical files for the same data, whatever the parallelism and share size", async () => {
    const first = new LocalLake(join(dir, "first"));
    const second = new LocalLake(join(dir, "second"));
    const a = await writeLake(db, first, { days: DAYS, tables, asOf: ASOF, parallelism: 1 });
    const b = await writeLake(db, second, {
      days: DAYS,
      tables,
      asOf: ASOF,
      parallelism: 2,
      rowsPerCopy: 1,
    });
    expect(b.files).toEqual(a.files);
    for (const path of a.files) {
      expect((await readFile(second.uri(path))).equals(await readFile(first.uri(path)))).toBe(true);
    }
  });

  it("names files by shard and batch, and lets only batch 0 of shard 0 write world tables", async () => {
    const lake = new LocalLake(join(dir, "lake"));
    const part = { shard: { index: 1, count: 2 }, batch: 3 };
    const written = await writeLake(db, lake, { days: DAYS, tables, asOf: ASOF, part });
    expect(written.files).toEqual(DAYS.map((d) => `raw/orders/dt=${d}/part-1-of-2-b3.parquet`));
  });

  it("refuses rows on a day the run does not own, writing nothing, not even other tables", async () => {
    const lake = new LocalLake(join(dir, "lake"));
    await expect(
      writeLake(db, lake, {
        days: ["2024-01-01", "2024-01-02"],
        asOf: ASOF,
        tables: ["products", "orders"],
      }),
    ).rejects.toThrow(/outside the run's date range \(2024-01-03: 1\)/);
    expect(await lake.list("")).toEqual([]);
  });

  it("refuses rows on a day inside the run's span that the run does not own", async () => {
    const lake = new LocalLake(join(dir, "lake"));
    const days = ["2024-01-01", "2024-01-03"];
    await db.connection.run(
      "insert into gen.orders values ('O4', 'U1', timestamptz '2024-01-02 12:00:00+00', false, 0.0, null)",
    );
    await expect(writeLake(db, lake, { days, asOf: ASOF, tables: ["orders"] })).rejects.toThrow(
      /outside the run's date range \(2024-01-02: 1\)/,
    );
    await db.connection.run("delete from gen.orders where order_id = 'O4'");
    const written = await writeLake(db, lake, { days, asOf: ASOF, tables: ["orders"] });
    expect(written.files).toEqual([
      "raw/orders/dt=2024-01-01/part-0-of-1-b0.parquet",
      "raw/orders/dt=2024-01-03/part-0-of-1-b0.parquet",
    ]);
  });

  it("puts DuckDB's thread setting back afterwards", async () => {
    await db.connection.run("set threads = 2");
    await writeLake(db, new LocalLake(join(dir, "lake")), { days: DAYS, tables, asOf: ASOF });
    expect(await queryRows(db.connection, "select current_setting('threads') as t")).toEqual([
      { t: "2" },
    ]);
  });

  it("splits days into contiguous shares of nearly equal rows, each non-empty", () => {
    expect(splitByWeight([1, 2, 3, 4, 5], [1, 1, 1, 1, 1], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    // A shop that grows: the late days carry most rows, so the first share takes more days.
    expect(splitByWeight([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 4, 4], 2)).toEqual([
      [1, 2, 3, 4, 5],
      [6],
    ]);
    const days = Array.from({ length: 40 }, (_, i) => i);
    const shares = splitByWeight(
      days,
      days.map((d) => (d * 7) % 11),
      6,
    );
    expect(shares.flat()).toEqual(days);
    expect(shares.length).toBeLessThanOrEqual(6);
    expect(shares.every((share) => share.length > 0)).toBe(true);
    expect(splitByWeight([1, 2, 3], [0, 0, 0], 2)).toEqual([[1, 2], [3]]);
    expect(splitByWeight([1], [5], 4)).toEqual([[1]]);
    expect(splitByWeight([], [], 2)).toEqual([]);
  });

  it("selects a share's days on the bare partition column, so min/max statistics can skip", () => {
    expect(dayRangeSql(RAW_TABLES.orders, "2024-01-01", "2024-01-31")).toBe(
      "order_ts >= timestamptz '2024-01-01 00:00:00+00' and order_ts < timestamptz '2024-02-01 00:00:00+00'",
    );
    expect(dayRangeSql(RAW_TABLES.users, "2024-12-31", "2024-12-31")).toBe(
      "signup_date between date '2024-12-31' and date '2024-12-31'",
    );
  });

  it("bounds days by midnight UTC of the first and of the day after the last, in the column's type", () => {
    expect(dayBoundsSql(RAW_TABLES.orders, "2024-02-28", "2024-02-29")).toEqual([
      "timestamptz '2024-02-28 00:00:00+00'",
      "timestamptz '2024-03-01 00:00:00+00'",
    ]);
    expect(dayBoundsSql(RAW_TABLES.users, "2024-12-31", "2024-12-31")).toEqual([
      "date '2024-12-31'",
      "date '2025-01-01'",
    ]);
    expect(["2023-02-28", "2024-02-28", "2024-12-31", "1969-12-31"].map(nextDay)).toEqual([
      "2023-03-01",
      "2024-02-29",
      "2025-01-01",
      "1970-01-01",
    ]);
  });
});
