import {
  bigQuerySchema,
  duckdbColumns,
  duckdbCreateTable,
  factStringCompression,
  RAW_TABLE_LIST,
  RAW_TABLE_NAMES,
  RAW_TABLES,
  tableDef,
} from ".";
import { rowSchema } from "./rowSchema";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDuckDb, openDuckDb, queryRows } from "../warehouse/duckdb";

/** SPEC's frozen columns: the contract may add columns, never drop or rename these. */
const SPEC_COLUMNS: Record<string, string[]> = {
  users: [
    "user_id",
    "signup_date",
    "user_type",
    "device",
    "region",
    "marketing_source",
    "anomaly_flag",
  ],
  products: [
    "product_id",
    "product_name",
    "category",
    "brand",
    "price",
    "rating_avg",
    "is_new_arrival",
  ],
  promo_calendar: [
    "promo_id",
    "promo_name",
    "start_date",
    "end_date",
    "uplift_level",
    "discount_rate",
  ],
  sessions: [
    "session_id",
    "user_id",
    "session_start_ts",
    "user_type",
    "device",
    "is_promo",
    "discount_rate",
    "promo_id",
  ],
  events: [
    "event_id",
    "user_id",
    "event_ts",
    "event_type",
    "session_id",
    "device",
    "order_id",
    "product_id",
    "is_promo",
    "discount_rate",
    "promo_id",
  ],
  orders: ["order_id", "user_id", "order_ts", "is_promo", "discount_rate", "promo_id"],
  order_items: [
    "order_item_id",
    "order_id",
    "user_id",
    "product_id",
    "quantity",
    "unit_price",
    "is_promo",
    "discount_rate",
    "final_unit_price",
    "line_amount",
  ],
  subscriptions: [
    "subscription_id",
    "user_id",
    "plan",
    "start_date",
    "end_date",
    "status",
    "monthly_fee",
  ],
};

describe("the raw data contract", () => {
  it("holds exactly SPEC's eight tables and the campaign exposures (SPEC: tables may be added for new sources)", () => {
    expect([...RAW_TABLE_NAMES].sort()).toEqual(
      [...Object.keys(SPEC_COLUMNS), "campaign_exposures"].sort(),
    );
  });

  it.each(Object.entries(SPEC_COLUMNS))("keeps every SPEC column of %s", (table, columns) => {
    const names = tableDef(table).columns.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(columns));
  });

  it("declares primary keys, partition and clustering columns that exist in their tables", () => {
    for (const t of RAW_TABLE_LIST) {
      const names = new Set(t.columns.map((c) => c.name));
      expect(names.has(t.primaryKey)).toBe(true);
      if (t.partitionColumn) {
        expect(names.has(t.partitionColumn)).toBe(true);
        const type = t.columns.find((c) => c.name === t.partitionColumn)!.type;
        expect(["DATE", "TIMESTAMP"]).toContain(type);
      }
      expect(t.clustering.length).toBeLessThanOrEqual(4);
      for (const c of t.clustering) expect(names.has(c)).toBe(true);
    }
  });

  it("points every foreign key at an existing key column", () => {
    for (const t of RAW_TABLE_LIST) {
      for (const fk of t.foreignKeys) {
        expect(t.columns.some((c) => c.name === fk.column)).toBe(true);
        expect(RAW_TABLES[fk.references.table].primaryKey).toBe(fk.references.column);
      }
    }
  });

  it("partitions and clusters the facts as planned", () => {
    const plan = Object.fromEntries(
      RAW_TABLE_LIST.map((t) => [t.name, [t.partitionColumn, t.clustering.join(",")]]),
    );
    expect(plan.events).toEqual(["event_ts", "user_id,event_type"]);
    expect(plan.sessions).toEqual(["session_start_ts", "user_id"]);
    expect(plan.orders).toEqual(["order_ts", "user_id"]);
    expect(plan.order_items).toEqual(["order_date", "product_id"]);
    expect(plan.users?.[0]).toBe("signup_date");
  });

  it("rejects an unknown table by name", () => {
    expect(() => tableDef("evnts")).toThrow(/Unknown raw table "evnts"/);
  });
});

describe("derived forms of the contract", () => {
  it("creates DuckDB tables whose columns and types match the contract", async () => {
    const db = await openDuckDb(":memory:");
    try {
      await db.connection.run("create schema raw");
      for (const t of RAW_TABLE_LIST) await db.connection.run(duckdbCreateTable(t));
      const rows = await queryRows<{
        table_name: string;
        column_name: string;
        data_type: string;
        is_nullable: string;
      }>(
        db.connection,
        "select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = 'raw' order by table_name, ordinal_position",
      );
      for (const t of RAW_TABLE_LIST) {
        const got = rows.filter((r) => r.table_name === t.name);
        expect(got.map((r) => r.column_name)).toEqual(t.columns.map((c) => c.name));
        expect(got.map((r) => r.is_nullable === "YES")).toEqual(t.columns.map((c) => c.nullable));
      }
      const ts = rows.find((r) => r.column_name === "event_ts");
      expect(ts?.data_type).toBe("TIMESTAMP WITH TIME ZONE");
    } finally {
      closeDuckDb(db);
    }
  });

  it("refuses a duplicate primary key in DuckDB", async () => {
    const db = await openDuckDb(":memory:");
    try {
      await db.connection.run("create schema raw");
      await db.connection.run(duckdbCreateTable(RAW_TABLES.promo_calendar));
      const row = "('P1', 'Spring', date '2024-03-01', date '2024-03-07', 'Low', 0.1)";
      await db.connection.run(`insert into raw.promo_calendar values ${row}`);
      await expect(
        db.connection.run(`insert into raw.promo_calendar values ${row}`),
      ).rejects.toThrow(/[Dd]uplicate key/);
    } finally {
      closeDuckDb(db);
    }
  });

  it("names a compression for every fact string column: identifiers plain, the rest a dictionary", () => {
    const chosen = RAW_TABLE_NAMES.flatMap((t) =>
      RAW_TABLES[t].columns
        .map((c) => [`${t}.${c.name}`, factStringCompression(RAW_TABLES[t], c.name)] as const)
        .filter(([, method]) => method !== null),
    );
    expect(Object.fromEntries(chosen)).toEqual({
      "sessions.session_id": "uncompressed",
      "sessions.user_id": "dictionary",
      "sessions.user_type": "dictionary",
      "sessions.device": "dictionary",
      "sessions.promo_id": "dictionary",
      "events.event_id": "uncompressed",
      "events.user_id": "dictionary",
      "events.event_type": "dictionary",
      "events.session_id": "uncompressed",
      "events.device": "dictionary",
      "events.order_id": "uncompressed",
      "events.product_id": "dictionary",
      "events.promo_id": "dictionary",
      "orders.order_id": "uncompressed",
      "orders.user_id": "dictionary",
      "orders.promo_id": "dictionary",
      "order_items.order_item_id": "uncompressed",
      "order_items.order_id": "uncompressed",
      "order_items.user_id": "dictionary",
      "order_items.product_id": "dictionary",
      "campaign_exposures.exposure_id": "uncompressed",
      "campaign_exposures.campaign_id": "dictionary",
      "campaign_exposures.user_id": "dictionary",
      "campaign_exposures.experiment_group": "dictionary",
      "campaign_exposures.purchase_count_tier": "dictionary",
      "campaign_exposures.category": "dictionary",
    });
    expect(duckdbColumns(RAW_TABLES.orders)).not.toContain("compression");
  });

  it("stores a fact's columns with the named compression in a DuckDB file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "compression-"));
    const db = await openDuckDb(join(dir, "w.duckdb"));
    try {
      await db.connection.run("create schema raw");
      await db.connection.run(
        `create table raw.orders (${duckdbColumns(RAW_TABLES.orders, { chosenCompression: true })})`,
      );
      // Data on which DuckDB, left to choose, picks otherwise: a dictionary for the few repeated
      // order ids, FSST for the user ids sharing a long prefix.
      await db.connection.run(
        `insert into raw.orders by name select 'O' || (i % 50) as order_id, 'user-with-a-long-common-prefix-' || i as user_id,
                timestamptz '2024-01-01 00:00:00+00' as order_ts, false as is_promo,
                0.0 as discount_rate, null as promo_id
         from range(20000) t(i)`,
      );
      await db.connection.run("checkpoint");
      const stored = await queryRows<{ column_name: string; compression: string }>(
        db.connection,
        `select distinct column_name, compression from pragma_storage_info('raw.orders')
         where column_name in ('order_id', 'user_id') and segment_type = 'VARCHAR' order by 1`,
      );
      expect(stored).toEqual([
        { column_name: "order_id", compression: "Uncompressed" },
        { column_name: "user_id", compression: "Dictionary" },
      ]);
    } finally {
      closeDuckDb(db);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives BigQuery REQUIRED exactly for the non-nullable columns", () => {
    const fields = bigQuerySchema(RAW_TABLES.events);
    expect(fields.find((f) => f.name === "order_id")?.mode).toBe("NULLABLE");
    expect(fields.find((f) => f.name === "event_id")?.mode).toBe("REQUIRED");
    expect(fields.map((f) => f.name)).toEqual(RAW_TABLES.events.columns.map((c) => c.name));
  });

  it("validates a well-formed row and names the bad column of a malformed one", () => {
    const schema = rowSchema("users");
    const row = {
      user_id: "U0000001",
      signup_date: "2024-01-03",
      user_type: "B",
      device: "iOS",
      region: "North",
      marketing_source: "Paid",
      anomaly_flag: false,
    };
    expect(schema.safeParse(row).success).toBe(true);
    const bad = schema.safeParse({ ...row, device: "Palm" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["device"]);
    expect(schema.safeParse({ ...row, extra: 1 }).success).toBe(false);
  });
});
