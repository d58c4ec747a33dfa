import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RAW_TABLE_NAMES, RAW_TABLES } from "../contract";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { WorldMismatchError } from "../world/manifest";
import { generateAndLoad, type GenerateAndLoadRequest } from "./generateAndLoad";

let dir: string;
let lake: LocalLake;
let warehouse: DuckDbWarehouse;

/**
 * A small world: enough users and days to touch every table, fast enough for a unit test (a
 * scale of 3,000 over two years is about 200 users in these 60 days).
 */
const SMALL: GenerateAndLoadRequest = {
  seed: 7,
  users: 3_000,
  startDate: "2024-01-01",
  dateRange: { start: "2024-01-01", end: "2024-02-29" },
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "generate-and-load-"));
  lake = new LocalLake(join(dir, "lake"));
  warehouse = await DuckDbWarehouse.open({ path: join(dir, "warehouse.duckdb") });
});
afterEach(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of RAW_TABLE_NAMES) {
    const [row] = await warehouse.query<{ n: number }>(`select count(*) as n from raw.${table}`);
    counts[table] = row!.n;
  }
  return counts;
}

/** Every row of every raw table, in primary-key order. */
async function allRows(): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of RAW_TABLE_NAMES) {
    rows[table] = await warehouse.query(
      `select * from raw.${table} order by ${RAW_TABLES[table].primaryKey}`,
    );
  }
  return rows;
}

/** Every lake file with a hash of its bytes: equal listings mean nothing was written. */
async function lakeFingerprint(): Promise<string[]> {
  const objects = await lake.list("");
  return Promise.all(
    objects.map(async (o) => {
      const hash = createHash("sha256")
        .update(await readFile(lake.uri(o.path)))
        .digest("hex");
      return `${o.path} ${o.bytes} ${hash}`;
    }),
  );
}

describe("generateAndLoad", () => {
  it("writes every table to the lake and loads exactly the generated rows, with the manifest", async () => {
    const summary = await generateAndLoad(SMALL, { lake, warehouse });
    expect(await tableCounts()).toEqual(summary.rows);
    expect(summary.rows.events).toBeGreaterThan(0);
    expect(summary.files).toContain("raw/events/dt=2024-02-29/part-0-of-1-b0.parquet");
    expect(summary.files).toContain("raw/products/asof=2024-02-29/part-0-of-1-b0.parquet");
    // six partitioned tables x 60 days, plus three state tables as of the last day
    expect(summary.files).toHaveLength(6 * 60 + 3);
    expect(summary.loadJobs).toHaveLength(9);
    expect(summary.stateAsOf).toBe("2024-02-29");
    expect(summary.dataThrough).toBe("2024-02-29");
    expect(Object.keys(summary.seconds).sort()).toEqual(["generate", "lake", "load", "total"]);
    const manifest = await warehouse.readManifest();
    expect(manifest).toMatchObject({ seed: 7, users: 3_000, dataThrough: "2024-02-29" });
    expect(JSON.parse((await lake.readText("manifest.json"))!)).toMatchObject({
      worldId: manifest!.worldId,
      dataThrough: "2024-02-29",
    });
  });

  it("changes nothing when run again with the same request", async () => {
    await generateAndLoad(SMALL, { lake, warehouse });
    const lakeBefore = await lakeFingerprint();
    const rowsBefore = await allRows();
    await generateAndLoad(SMALL, { lake, warehouse });
    expect(await lakeFingerprint()).toEqual(lakeBefore);
    expect(await allRows()).toEqual(rowsBefore);
  });

  it("refuses another world before writing anything, naming what differs", async () => {
    await generateAndLoad(SMALL, { lake, warehouse });
    const lakeBefore = await lakeFingerprint();
    const rowsBefore = await allRows();
    const refusal = await generateAndLoad({ ...SMALL, users: 100 }, { lake, warehouse }).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(WorldMismatchError);
    expect((refusal as Error).message).toMatch(/users 3000 \(asked 100\)/);
    expect(await lakeFingerprint()).toEqual(lakeBefore);
    expect(await allRows()).toEqual(rowsBefore);
  });

  it("writes and loads nothing on a dry run, but still counts the rows", async () => {
    await generateAndLoad(SMALL, { lake, warehouse });
    const lakeBefore = await lakeFingerprint();
    const countsBefore = await tableCounts();
    const dry = await generateAndLoad({ ...SMALL, seed: 8, dryRun: true }, { lake, warehouse });
    expect(dry.files).toEqual([]);
    expect(dry.loadJobs).toEqual([]);
    expect(dry.rows.events).toBeGreaterThan(0);
    expect(dry.rows).not.toEqual(countsBefore);
    expect(await lakeFingerprint()).toEqual(lakeBefore);
    expect(await tableCounts()).toEqual(countsBefore);
  });

  it("replaces only the days of a past date range, and leaves the state tables as they were", async () => {
    await generateAndLoad(SMALL, { lake, warehouse });
    const before = await warehouse.query<{ day: string; n: number }>(
      "select cast(date(event_ts) as string) as day, count(*) as n from raw.events group by 1 order by 1",
    );
    const subscriptions = await warehouse.query("select * from raw.subscriptions order by 1");
    await warehouse.execute(
      "delete from raw.events where date(event_ts) between '2024-02-10' and '2024-02-12'",
    );
    const range = { start: "2024-02-10", end: "2024-02-11" };
    const summary = await generateAndLoad({ ...SMALL, dateRange: range }, { lake, warehouse });
    expect(summary.files.filter((f) => f.startsWith("raw/events/"))).toEqual([
      "raw/events/dt=2024-02-10/part-0-of-1-b0.parquet",
      "raw/events/dt=2024-02-11/part-0-of-1-b0.parquet",
    ]);
    expect(summary.stateAsOf).toBeNull();
    expect(summary.dataThrough).toBe("2024-02-29");
    expect(await warehouse.query("select * from raw.subscriptions order by 1")).toEqual(
      subscriptions,
    );
    // same seed and world: the range restores exactly its own days, and only those
    const after = await warehouse.query<{ day: string; n: number }>(
      "select cast(date(event_ts) as string) as day, count(*) as n from raw.events group by 1 order by 1",
    );
    expect(after).toEqual(before.filter((r) => r.day !== "2024-02-12"));
    expect(before.some((r) => r.day === "2024-02-12")).toBe(true);
  });

  it("loads two user shards into the same rows as one whole run", async () => {
    const whole = await generateAndLoad(SMALL, { lake, warehouse });
    const other = await DuckDbWarehouse.open({ path: join(dir, "sharded.duckdb") });
    const shardLake = new LocalLake(join(dir, "sharded-lake"));
    try {
      for (const index of [0, 1]) {
        await generateAndLoad(
          { ...SMALL, shard: { index, count: 2 } },
          { lake: shardLake, warehouse: other },
        );
      }
      for (const table of RAW_TABLE_NAMES) {
        const [row] = await other.query<{ n: number }>(`select count(*) as n from raw.${table}`);
        expect([table, row!.n]).toEqual([table, whole.rows[table]]);
      }
    } finally {
      await other.close();
    }
  });

  it("writes a run in user batches, one file per batch and day from its first signup, and loads the same rows", async () => {
    const whole = await generateAndLoad(SMALL, { lake, warehouse });
    const wholeRows = await allRows();
    const batched = await generateAndLoad(SMALL, { lake, warehouse }, undefined, {
      batchUsers: 50,
    });
    expect(batched.rows).toEqual(whole.rows);
    const batches = batched.files.filter((f) => f.startsWith("raw/orders/dt=2024-02-29/"));
    expect(batches.length).toBeGreaterThan(2);
    expect(batches).toEqual(
      batches.map((_, j) => `raw/orders/dt=2024-02-29/part-0-of-1-b${j}.parquet`),
    );
    // A later batch's users have not signed up on the first day: it writes no file there.
    expect(batched.files.filter((f) => f.startsWith("raw/orders/dt=2024-01-01/"))).toEqual([
      "raw/orders/dt=2024-01-01/part-0-of-1-b0.parquet",
    ]);
    // The world tables belong to the first batch only.
    expect(batched.files.filter((f) => f.startsWith("raw/products/"))).toEqual([
      "raw/products/asof=2024-02-29/part-0-of-1-b0.parquet",
    ]);
    expect(await allRows()).toEqual(wholeRows);
  });

  it("rejects a bad shard before generating anything", async () => {
    await expect(
      generateAndLoad({ ...SMALL, shard: { index: 2, count: 2 } }, { lake, warehouse }),
    ).rejects.toThrow(/shard index/);
    expect(await lake.list("")).toEqual([]);
  });
});
