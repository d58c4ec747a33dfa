import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalLake } from "../backends/localLake";
import {
  checkOwnership,
  lakeLoads,
  settleLake,
  ShardConflictError,
  stateDecision,
} from "./lakeOwnership";

let dir: string;
let lake: LocalLake;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lake-ownership-"));
  lake = new LocalLake(join(dir, "lake"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function put(...paths: string[]): Promise<void> {
  for (const path of paths) await lake.putText(path, "");
}
async function paths(prefix = "raw/"): Promise<string[]> {
  return (await lake.list(prefix)).map((o) => o.path);
}

const DAY = "2025-12-20";
const days = [DAY];
const dayTables = ["sessions"] as const;
const stateTables = ["subscriptions"] as const;
const noState = { latestStateAsOf: null, ownStateAsOf: null, otherCountState: null };

describe("checkOwnership", () => {
  it("refuses a sharded run over a day written with another shard count, naming both", async () => {
    await put(`raw/sessions/dt=${DAY}/part-0-of-1-b0.parquet`);
    const run = { shard: { index: 0, count: 4 }, days, dayTables, stateTables };
    const refusal = await checkOwnership(lake, run).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ShardConflictError);
    expect((refusal as Error).message).toMatch(
      /raw\/sessions\/dt=2025-12-20\/ was written with 1 shard\(s\); a 4-shard request/,
    );
  });

  it("lets a sharded run of the same count and an unsharded run through", async () => {
    await put(`raw/sessions/dt=${DAY}/part-1-of-4-b0.parquet`);
    await expect(
      checkOwnership(lake, { shard: { index: 0, count: 4 }, days, dayTables, stateTables }),
    ).resolves.toEqual(noState);
    await expect(
      checkOwnership(lake, { shard: { index: 0, count: 1 }, days, dayTables, stateTables }),
    ).resolves.toEqual(noState);
  });

  it("reports the latest state, the run's own shard's, and another count's", async () => {
    await put(
      "raw/subscriptions/asof=2025-12-20/part-0-of-2-b0.parquet",
      "raw/subscriptions/asof=2025-12-22/part-1-of-2-b0.parquet",
      "raw/subscriptions/asof=2025-12-01/part-0-of-1-b0.parquet",
    );
    const check = await checkOwnership(lake, {
      shard: { index: 0, count: 2 },
      days,
      dayTables,
      stateTables,
    });
    expect(check).toEqual({
      latestStateAsOf: "2025-12-22",
      ownStateAsOf: "2025-12-20",
      otherCountState: "raw/subscriptions/asof=2025-12-01/part-0-of-1-b0.parquet",
    });
  });
});

describe("stateDecision", () => {
  const whole = { index: 0, count: 1 };
  const shard = { index: 1, count: 3 };

  it("writes state as of the run's last day at the frontier, and not for a past day", () => {
    expect(stateDecision(whole, "2025-12-20", noState)).toEqual({
      write: true,
      asOf: "2025-12-20",
    });
    const later = { ...noState, latestStateAsOf: "2025-12-31", ownStateAsOf: "2025-12-31" };
    expect(stateDecision(whole, "2025-12-20", later).write).toBe(false);
    expect(stateDecision(whole, "2025-12-31", later)).toEqual({ write: true, asOf: "2025-12-31" });
  });

  it("has an unsharded run rewrite another count's state as of the latest day, never earlier", () => {
    const other = {
      latestStateAsOf: "2025-12-31",
      ownStateAsOf: null,
      otherCountState: "raw/subscriptions/asof=2025-12-31/part-0-of-3-b0.parquet",
    };
    expect(stateDecision(whole, "2025-12-20", other)).toEqual({ write: true, asOf: "2025-12-31" });
  });

  it("writes a shard's state only at the frontier, and refuses to mix shard counts", () => {
    expect(stateDecision(shard, "2025-12-20", noState)).toEqual({
      write: true,
      asOf: "2025-12-20",
    });
    const ahead = { ...noState, latestStateAsOf: "2025-12-31" };
    expect(stateDecision(shard, "2025-12-20", ahead).write).toBe(false);
    const mixed = {
      latestStateAsOf: "2025-12-01",
      ownStateAsOf: null,
      otherCountState: "raw/subscriptions/asof=2025-12-01/part-0-of-1-b0.parquet",
    };
    expect(() => stateDecision(shard, "2025-12-20", mixed)).toThrow(ShardConflictError);
  });
});

describe("settleLake", () => {
  it("deletes the run's own stale batches and never another shard's files", async () => {
    await put(
      `raw/sessions/dt=${DAY}/part-0-of-2-b0.parquet`,
      `raw/sessions/dt=${DAY}/part-0-of-2-b1.parquet`,
      `raw/sessions/dt=${DAY}/part-1-of-2-b0.parquet`,
      `raw/sessions/dt=2025-12-21/part-0-of-2-b1.parquet`,
    );
    await settleLake(lake, {
      shard: { index: 0, count: 2 },
      days,
      dayTables,
      stateTables: [],
      written: new Set([`raw/sessions/dt=${DAY}/part-0-of-2-b0.parquet`]),
    });
    expect(await paths()).toEqual([
      `raw/sessions/dt=${DAY}/part-0-of-2-b0.parquet`,
      `raw/sessions/dt=${DAY}/part-1-of-2-b0.parquet`,
      // A day the run does not own keeps even its own shard's files.
      "raw/sessions/dt=2025-12-21/part-0-of-2-b1.parquet",
    ]);
  });

  it("has an unsharded run replace every other shard count's files in its days and state", async () => {
    await put(
      `raw/sessions/dt=${DAY}/part-0-of-4-b0.parquet`,
      `raw/sessions/dt=${DAY}/part-3-of-4-b0.parquet`,
      `raw/sessions/dt=${DAY}/part-0-of-1-b0.parquet`,
      "raw/subscriptions/asof=2025-12-19/part-2-of-4-b0.parquet",
      "raw/subscriptions/asof=2025-12-20/part-0-of-1-b0.parquet",
      "raw/subscriptions/asof=2025-12-18/part-0-of-1-b0.parquet",
    );
    await settleLake(lake, {
      shard: { index: 0, count: 1 },
      days,
      dayTables,
      stateTables,
      written: new Set([
        `raw/sessions/dt=${DAY}/part-0-of-1-b0.parquet`,
        "raw/subscriptions/asof=2025-12-20/part-0-of-1-b0.parquet",
      ]),
    });
    expect(await paths()).toEqual([
      `raw/sessions/dt=${DAY}/part-0-of-1-b0.parquet`,
      "raw/subscriptions/asof=2025-12-20/part-0-of-1-b0.parquet",
    ]);
  });
});

describe("lakeLoads", () => {
  it("loads every shard's files of a day, and an empty day as an empty partition", async () => {
    await put(
      `raw/sessions/dt=${DAY}/part-1-of-2-b0.parquet`,
      `raw/sessions/dt=${DAY}/part-0-of-2-b0.parquet`,
      `raw/sessions/dt=${DAY}/notes.txt`,
    );
    const loads = await lakeLoads(lake, {
      days: [DAY, "2025-12-21"],
      dayTables,
      stateTables: [],
    });
    expect(loads).toEqual([
      {
        table: "sessions",
        partition: DAY,
        uris: [
          lake.uri(`raw/sessions/dt=${DAY}/part-0-of-2-b0.parquet`),
          lake.uri(`raw/sessions/dt=${DAY}/part-1-of-2-b0.parquet`),
        ],
      },
      { table: "sessions", partition: "2025-12-21", uris: [] },
    ]);
  });

  it("refuses to load a day that holds two shard counts", async () => {
    await put(
      `raw/sessions/dt=${DAY}/part-0-of-2-b0.parquet`,
      `raw/sessions/dt=${DAY}/part-0-of-1-b0.parquet`,
    );
    await expect(lakeLoads(lake, { days, dayTables, stateTables: [] })).rejects.toThrow(
      /holds files of \d and \d shards/,
    );
  });

  it("loads each shard's latest state, so a past day's state never replaces a later one", async () => {
    await put(
      "raw/subscriptions/asof=2025-12-31/part-0-of-2-b0.parquet",
      "raw/subscriptions/asof=2025-12-31/part-0-of-2-b1.parquet",
      "raw/subscriptions/asof=2025-12-20/part-0-of-2-b0.parquet",
      "raw/subscriptions/asof=2025-12-20/part-1-of-2-b0.parquet",
    );
    const [load] = await lakeLoads(lake, { days: [], dayTables: [], stateTables });
    expect(load).toEqual({
      table: "subscriptions",
      partition: null,
      uris: [
        lake.uri("raw/subscriptions/asof=2025-12-20/part-1-of-2-b0.parquet"),
        lake.uri("raw/subscriptions/asof=2025-12-31/part-0-of-2-b0.parquet"),
        lake.uri("raw/subscriptions/asof=2025-12-31/part-0-of-2-b1.parquet"),
      ],
    });
  });
});
