import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDuckDb, openDuckDb, queryRows } from "../warehouse/duckdb";
import { RAW_TABLES } from "../contract";
import { utcDaySql } from "../warehouse/daySql";
import { DuckDbWarehouse } from "./duckdbWarehouse";
import type { PartitionLoad } from "./types";

let dir: string;
let warehouse: DuckDbWarehouse;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duckdb-warehouse-"));
  warehouse = await DuckDbWarehouse.open({ path: join(dir, "warehouse.duckdb") });
  await warehouse.ensureRawTables();
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

/** Writes orders `[order_id, order_ts]` to a Parquet file, as the lake writer would. */
async function ordersFile(name: string, orders: [string, string][]): Promise<string> {
  const file = join(dir, `${name}.parquet`);
  const db = await openDuckDb(":memory:");
  const row = (id: string, ts: string) =>
    `select '${id}' as order_id, 'U1' as user_id, timestamptz '${ts}' as order_ts, ` +
    `false as is_promo, 0.0::double as discount_rate, null::varchar as promo_id`;
  const select =
    orders.length > 0
      ? orders.map(([id, ts]) => row(id, ts)).join(" union all ")
      : `${row("none", "2024-01-01 00:00:00+00")} where false`;
  await db.connection.run(`copy (${select} order by order_id) to '${file}' (format parquet)`);
  closeDuckDb(db);
  return file;
}

async function ordersByDay(): Promise<Record<string, string>> {
  const rows = await warehouse.query<{ day: string; ids: string }>(
    "select cast(date(order_ts) as string) as day, string_agg(order_id, ',' order by order_id) as ids " +
      "from raw.orders group by 1 order by 1",
  );
  return Object.fromEntries(rows.map((r) => [r.day, r.ids]));
}

const load = (partition: string, ...uris: string[]): PartitionLoad => ({
  table: "orders",
  partition,
  uris,
});

async function loadThreeDays(): Promise<void> {
  await warehouse.replacePartitions([
    load(
      "2024-01-01",
      await ordersFile("d1", [
        ["O1", "2024-01-01 00:00:00+00"],
        ["O2", "2024-01-01 23:59:59+00"],
      ]),
    ),
    load("2024-01-02", await ordersFile("d2", [["O3", "2024-01-02 12:00:00+00"]])),
    load("2024-01-03", await ordersFile("d3", [["O4", "2024-01-03 08:00:00+00"]])),
  ]);
}

describe("DuckDbWarehouse.replacePartitions", () => {
  it("replaces exactly the listed partition and leaves the others", async () => {
    await loadThreeDays();
    const report = await warehouse.replacePartitions([
      load(
        "2024-01-02",
        await ordersFile("d2b", [
          ["O5", "2024-01-02 01:00:00+00"],
          ["O6", "2024-01-02 02:00:00+00"],
        ]),
      ),
    ]);
    expect(report.rows).toEqual({ orders: 2 });
    expect(await ordersByDay()).toEqual({
      "2024-01-01": "O1,O2",
      "2024-01-02": "O5,O6",
      "2024-01-03": "O4",
    });
  });

  it("replaces two days with a gap between them and leaves the day in the gap", async () => {
    await loadThreeDays();
    await warehouse.replacePartitions([
      load("2024-01-01", await ordersFile("d1b", [["O7", "2024-01-01 05:00:00+00"]])),
      load("2024-01-03", await ordersFile("d3b", [["O8", "2024-01-03 05:00:00+00"]])),
    ]);
    expect(await ordersByDay()).toEqual({
      "2024-01-01": "O7",
      "2024-01-02": "O3",
      "2024-01-03": "O8",
    });
  });

  it("replaces a run of consecutive days and nothing on either side", async () => {
    await loadThreeDays();
    await warehouse.replacePartitions([
      load("2024-01-03", await ordersFile("d3c", [["O9", "2024-01-03 05:00:00+00"]])),
      load("2024-01-02", await ordersFile("d2c", [])),
    ]);
    expect(await ordersByDay()).toEqual({ "2024-01-01": "O1,O2", "2024-01-03": "O9" });
  });

  it("leaves identical rows when the same files are loaded twice", async () => {
    const loads = [
      load("2024-01-01", await ordersFile("d1", [["O1", "2024-01-01 03:00:00+00"]])),
      load(
        "2024-01-02",
        await ordersFile("d2a", [["O2", "2024-01-02 03:00:00+00"]]),
        await ordersFile("d2b", [["O3", "2024-01-02 04:00:00+00"]]),
      ),
    ];
    await warehouse.replacePartitions(loads);
    const first = await warehouse.query("select * from raw.orders order by order_id");
    await warehouse.replacePartitions(loads);
    expect(await warehouse.query("select * from raw.orders order by order_id")).toEqual(first);
    expect(first).toHaveLength(3);
  });

  it("leaves every partition as it was when a later partition of the same call fails", async () => {
    await loadThreeDays();
    const before = await warehouse.query("select * from raw.orders order by order_id");
    await expect(
      warehouse.replacePartitions([
        load("2024-01-01", await ordersFile("new1", [["O9", "2024-01-01 05:00:00+00"]])),
        load("2024-01-02", join(dir, "missing.parquet")),
      ]),
    ).rejects.toThrow(/missing\.parquet/);
    expect(await warehouse.query("select * from raw.orders order by order_id")).toEqual(before);
  });

  it("refuses a file that holds rows of another day, changing nothing", async () => {
    await loadThreeDays();
    const before = await ordersByDay();
    await expect(
      warehouse.replacePartitions([
        load("2024-01-01", await ordersFile("wrong", [["O7", "2024-01-05 05:00:00+00"]])),
      ]),
    ).rejects.toThrow(/partition 2024-01-01: file .*wrong\.parquet holds rows of 2024-01-05/);
    expect(await ordersByDay()).toEqual(before);
  });

  it("refuses a row at the midnight that ends its file's day, changing nothing", async () => {
    await loadThreeDays();
    const before = await ordersByDay();
    await expect(
      warehouse.replacePartitions([
        load(
          "2024-01-01",
          await ordersFile("edge", [
            ["O7", "2024-01-01 00:00:00+00"],
            ["O8", "2024-01-02 00:00:00+00"],
          ]),
        ),
      ]),
    ).rejects.toThrow(/partition 2024-01-01: file .*edge\.parquet holds rows of 2024-01-02/);
    expect(await ordersByDay()).toEqual(before);
  });

  it("checks a DATE partition column by its day: the day itself loads, the next day is refused", async () => {
    const usersFile = async (name: string, day: string) => {
      const file = join(dir, `${name}.parquet`);
      const db = await openDuckDb(":memory:");
      await db.connection.run(
        `copy (select 'U1' as user_id, date '${day}' as signup_date, 'regular' as user_type, ` +
          `'mobile' as device, 'EU' as region, 'organic' as marketing_source, ` +
          `false as anomaly_flag) to '${file}' (format parquet)`,
      );
      closeDuckDb(db);
      return file;
    };
    const users = (partition: string, uri: string): PartitionLoad => ({
      table: "users",
      partition,
      uris: [uri],
    });
    await warehouse.replacePartitions([users("2024-01-01", await usersFile("same", "2024-01-01"))]);
    await expect(
      warehouse.replacePartitions([users("2024-01-01", await usersFile("next", "2024-01-02"))]),
    ).rejects.toThrow(
      /raw\.users partition 2024-01-01: file .*next\.parquet holds rows of 2024-01-02/,
    );
    await expect(
      warehouse.replacePartitions([users("2024-01-02", await usersFile("before", "2024-01-01"))]),
    ).rejects.toThrow(
      /raw\.users partition 2024-01-02: file .*before\.parquet holds rows of 2024-01-01/,
    );
    expect(
      await warehouse.query("select user_id, cast(signup_date as string) as d from raw.users"),
    ).toEqual([{ user_id: "U1", d: "2024-01-01" }]);
  });

  it("refuses a file listed twice, whose rows would load twice, changing nothing", async () => {
    await loadThreeDays();
    const before = await ordersByDay();
    const file = await ordersFile("twice", [["O7", "2024-01-01 05:00:00+00"]]);
    await expect(warehouse.replacePartitions([load("2024-01-01", file, file)])).rejects.toThrow(
      /raw\.orders: file .*twice\.parquet is listed twice/,
    );
    expect(await ordersByDay()).toEqual(before);
  });

  it("refuses rows of a file the load does not name (a pattern DuckDB expands), changing nothing", async () => {
    await loadThreeDays();
    const before = await ordersByDay();
    await ordersFile("glob-a", [["O7", "2024-01-01 05:00:00+00"]]);
    await expect(
      warehouse.replacePartitions([load("2024-01-01", join(dir, "glob-*.parquet"))]),
    ).rejects.toThrow(
      /raw\.orders: read a row of .*glob-a\.parquet, a file the load does not list/,
    );
    expect(await ordersByDay()).toEqual(before);
  });

  it("empties a partition loaded from zero-row files or from none", async () => {
    await loadThreeDays();
    await warehouse.replacePartitions([
      load("2024-01-01", await ordersFile("empty", [])),
      load("2024-01-03"),
    ]);
    expect(await ordersByDay()).toEqual({ "2024-01-02": "O3" });
  });

  it("replaces a whole table when the partition is null", async () => {
    await loadThreeDays();
    const report = await warehouse.replacePartitions([
      {
        table: "orders",
        partition: null,
        uris: [await ordersFile("all", [["O8", "2024-02-01 00:00:00+00"]])],
      },
    ]);
    expect(report.jobs).toEqual(["duckdb: replace raw.orders, whole table, 1 file(s), 1 row(s)"]);
    expect(await ordersByDay()).toEqual({ "2024-02-01": "O8" });
  });

  it("rejects an ambiguous plan before touching anything", async () => {
    await expect(
      warehouse.replacePartitions([load("2024-01-01"), load("2024-01-01")]),
    ).rejects.toThrow(/listed twice/);
    await expect(warehouse.replacePartitions([load("2024-1-1")])).rejects.toThrow(/not YYYY-MM-DD/);
    await expect(
      warehouse.replacePartitions([{ table: "products", partition: "2024-01-01", uris: [] }]),
    ).rejects.toThrow(/no partition column/);
  });
});

describe("DuckDbWarehouse SQL", () => {
  it("runs BigQuery-dialect queries with parameters and returns integers as numbers", async () => {
    await loadThreeDays();
    const rows = await warehouse.query(
      "select countif(date(order_ts) < @run_date) as before_run, date_diff(@run_date, date '2024-01-01', day) as days from raw.orders",
      { run_date: { date: "2024-01-03" } },
    );
    expect(rows).toEqual([{ before_run: 3, days: 2 }]);
  });

  it("materializes a query into a table, replacing it on each run", async () => {
    await loadThreeDays();
    const sql =
      "select user_id, count(*) as order_count from raw.orders where date(order_ts) <= @run_date group by user_id";
    await warehouse.materialize({ dataset: "marts", table: "t" }, sql, {
      run_date: { date: "2024-01-02" },
    });
    const second = await warehouse.materialize({ dataset: "marts", table: "t" }, sql, {
      run_date: { date: "2024-01-03" },
    });
    expect(second).toEqual({ rows: 1 });
    expect(await warehouse.query("select * from marts.t")).toEqual([
      { user_id: "U1", order_count: 4 },
    ]);
  });

  it("replaces one date partition of a table and keeps the others", async () => {
    await loadThreeDays();
    const sql =
      "select date(order_ts) as order_date, count(*) as orders from raw.orders where date(order_ts) = @run_date group by 1";
    const target = (date: string) => ({
      dataset: "marts" as const,
      table: "daily",
      partition: { column: "order_date", date },
    });
    for (const date of ["2024-01-01", "2024-01-02", "2024-01-01"]) {
      await warehouse.materialize(target(date), sql, { run_date: { date } });
    }
    expect(
      await warehouse.query(
        "select cast(order_date as string) as d, orders from marts.daily order by 1",
      ),
    ).toEqual([
      { d: "2024-01-01", orders: 2 },
      { d: "2024-01-02", orders: 1 },
    ]);
    await expect(
      warehouse.materialize(target("2024-01-03"), sql, { run_date: { date: "2024-01-02" } }),
    ).rejects.toThrow(/outside partition order_date = 2024-01-03/);
    expect(await warehouse.query("select count(*) as n from marts.daily")).toEqual([{ n: 2 }]);
  });

  it("executes BigQuery-dialect DML", async () => {
    await loadThreeDays();
    await warehouse.execute("delete from raw.orders where date(order_ts) = @run_date", {
      run_date: { date: "2024-01-01" },
    });
    expect(Object.keys(await ordersByDay())).toEqual(["2024-01-02", "2024-01-03"]);
  });

  it("stores nearly unique strings of a mart without FSST, which DuckDB picks on its own", async () => {
    const uniqueIds =
      "select 'session-with-a-long-common-prefix-' || i as session_id from range(20000) t(i)";
    const compression = async (connection: DuckDBConnection, table: string) => {
      await connection.run("checkpoint");
      return queryRows<{ compression: string }>(
        connection,
        `select distinct compression from pragma_storage_info('${table}') where segment_type = 'VARCHAR'`,
      );
    };
    await warehouse.execute("create schema if not exists marts");
    await warehouse.execute(`create table marts.ids as ${uniqueIds}`);
    expect(await compression(warehouse.connection, "marts.ids")).not.toContainEqual({
      compression: "FSST",
    });
    // The same strings in a DuckDB file opened without the warehouse's settings.
    const plain = await openDuckDb(join(dir, "plain.duckdb"));
    try {
      await plain.connection.run(`create table ids as ${uniqueIds}`);
      expect(await compression(plain.connection, "ids")).toContainEqual({ compression: "FSST" });
    } finally {
      closeDuckDb(plain);
    }
  });

  it("leaves row groups as written when opened for a build from empty, where DuckDB merges them", async () => {
    // Three inserts of 130,000 rows: each fills one row group of 122,880 and starts another.
    const rowGroupsAfterCheckpoint = async (w: DuckDbWarehouse) => {
      await w.execute("create table marts.numbers (n int64)");
      for (let i = 0; i < 3; i++)
        await w.execute(
          "insert into marts.numbers select n from unnest(generate_array(1, 130000)) as n",
        );
      await w.checkpoint();
      const [row] = await queryRows<{ n: number }>(
        w.connection,
        "select count(distinct row_group_id)::int as n from pragma_storage_info('marts.numbers')",
      );
      expect(await w.query("select count(*) as n from marts.numbers")).toEqual([{ n: 390000 }]);
      return row?.n;
    };
    await warehouse.execute("create schema if not exists marts");
    expect(await rowGroupsAfterCheckpoint(warehouse)).toBe(5);
    const fresh = await DuckDbWarehouse.open({ path: join(dir, "fresh.duckdb"), vacuum: false });
    try {
      await fresh.execute("create schema if not exists marts");
      expect(await rowGroupsAfterCheckpoint(fresh)).toBe(6);
    } finally {
      await fresh.close();
    }
  });

  it("checkpoints only when asked if it defers checkpoints, and keeps every committed row", async () => {
    // 100,000 rows of 200 characters: below a row group, so the rows go to the write-ahead log
    // itself (about 20 MB), past DuckDB's own threshold of 16 MB; DuckDB checkpoints at the next
    // commit that finds the log past it.
    const twoCommits = async (w: DuckDbWarehouse) => {
      await w.execute("create schema if not exists marts");
      await w.execute(
        "create table marts.wide as select n, repeat('x', 200) as s from unnest(generate_array(1, 100000)) as n",
      );
      await w.execute("insert into marts.wide values (0, 'y')");
    };
    const logBytes = (path: string) =>
      existsSync(`${path}.wal`) ? statSync(`${path}.wal`).size : 0;
    const usual = join(dir, "usual.duckdb");
    const deferring = join(dir, "deferring.duckdb");
    const checkpointing = await DuckDbWarehouse.open({ path: usual });
    const deferred = await DuckDbWarehouse.open({ path: deferring, deferCheckpoints: true });
    try {
      await twoCommits(checkpointing);
      await twoCommits(deferred);
      expect(logBytes(usual)).toBe(0);
      expect(logBytes(deferring)).toBeGreaterThan(16_000_000);
      await deferred.checkpoint();
      expect(logBytes(deferring)).toBe(0);
    } finally {
      await checkpointing.close();
      await deferred.close();
    }
    const reopened = await DuckDbWarehouse.open({ path: deferring, readOnly: true });
    try {
      expect(
        await reopened.query("select count(*) as n, max(length(s)) as w from marts.wide"),
      ).toEqual([{ n: 100001, w: 200 }]);
    } finally {
      await reopened.close();
    }
  });

  it("answers at most two queries at once, however many are asked for together", async () => {
    await loadThreeDays();
    const connect = jest.spyOn(warehouse["db"].instance, "connect");
    const count = "select count(*) as n from raw.orders";
    const answers = await Promise.all(Array.from({ length: 6 }, () => warehouse.query(count)));
    expect(answers).toEqual(Array.from({ length: 6 }, () => [{ n: 4 }]));
    // Two reader connections, opened once and reused; the writer's connection is another.
    expect(connect).toHaveBeenCalledTimes(2);
  });

  it("answers queries side by side, each seeing every write issued before it and none after", async () => {
    await loadThreeDays();
    const count = "select count(*) as n from raw.orders";
    const before = [warehouse.query(count), warehouse.query(count), warehouse.query(count)];
    const write = warehouse.execute("delete from raw.orders where order_id = 'O1'");
    const after = [warehouse.query(count), warehouse.query(count), warehouse.query(count)];
    const rewrite = warehouse.execute("delete from raw.orders");
    const last = warehouse.query(count);
    expect(await Promise.all(before)).toEqual([[{ n: 4 }], [{ n: 4 }], [{ n: 4 }]]);
    await write;
    expect(await Promise.all(after)).toEqual([[{ n: 3 }], [{ n: 3 }], [{ n: 3 }]]);
    await rewrite;
    expect(await last).toEqual([{ n: 0 }]);
  });
});

describe("utcDaySql", () => {
  it("gives the same UTC day as a time-zone cast, midnight edges and pre-1970 instants included", async () => {
    const day = utcDaySql(RAW_TABLES.events).replace(/event_ts/g, "ts");
    const rows = await queryRows<{ ts: string; fast: string; cast: string }>(
      warehouse.connection,
      `select cast(ts as varchar) as ts, cast(${day} as varchar) as fast, cast(cast(ts as date) as varchar) as cast
       from (select unnest([
           timestamptz '2024-01-01 00:00:00+00', timestamptz '2023-12-31 23:59:59.999999+00',
           timestamptz '1969-12-31 23:59:59.999999+00', timestamptz '1969-12-31 00:00:00+00',
           timestamptz '1970-01-01 00:00:00+00', timestamptz '2025-06-30 12:34:56+00'
       ]) as ts)`,
    );
    expect(rows).toHaveLength(6);
    for (const row of rows) expect([row.ts, row.fast]).toEqual([row.ts, row.cast]);
  });

  it("uses a DATE partition column as it is", () => {
    expect(utcDaySql(RAW_TABLES.order_items)).toBe("order_date");
    expect(() => utcDaySql(RAW_TABLES.products)).toThrow(/no partition column/);
  });
});
