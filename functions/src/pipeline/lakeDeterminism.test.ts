import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalLake } from "../backends/localLake";
import { DEFAULT_GENERATE_OPTIONS, generateInBatches } from "../generator";
import { closeDuckDb, openDuckDb } from "../warehouse/duckdb";
import { daysBetween } from "./lakePaths";
import { writeLake } from "./writeLake";

/**
 * The lake writer does not sort: a day's file holds its rows in the generated table's order. So
 * byte-identical files for the same seed rest on the generator inserting rows in the same order
 * whatever the thread count; more threads than cores make the scheduling vary the most.
 */
const WORLD = { ...DEFAULT_GENERATE_OPTIONS, users: 1_200 };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lake-determinism-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lakeWith(threads: number, batchUsers: number): Promise<LocalLake> {
  const lake = new LocalLake(join(dir, `threads-${threads}`));
  const db = await openDuckDb(":memory:", { threads });
  try {
    await generateInBatches(db.connection, WORLD, batchUsers);
    await writeLake(db, lake, {
      days: daysBetween(WORLD.startDate, WORLD.endDate),
      asOf: WORLD.endDate,
    });
  } finally {
    closeDuckDb(db);
  }
  return lake;
}

describe("lake files", () => {
  it("are byte-identical for the same seed, whatever the number of DuckDB threads", async () => {
    const one = await lakeWith(1, 1_200);
    const four = await lakeWith(4, 1_200);
    const paths = (await one.list("raw/")).map((o) => o.path);
    expect(paths.length).toBeGreaterThan(3_000);
    expect((await four.list("raw/")).map((o) => o.path)).toEqual(paths);
    const differing: string[] = [];
    for (const path of paths) {
      const [a, b] = await Promise.all([readFile(one.uri(path)), readFile(four.uri(path))]);
      if (!a.equals(b)) differing.push(path);
    }
    expect(differing).toEqual([]);
  }, 120_000);
});
