import { RAW_TABLE_NAMES } from "../contract";
import { DEFAULT_GENERATE_OPTIONS, generateInBatches, generateShop } from "./index";
import {
  closeDuckDb,
  copyGenerated,
  type Db,
  fingerprint,
  generatedWorld,
  rowDifference,
} from "./testSupport";

const WORLD = { users: 1_500 };

describe("determinism", () => {
  let db: Db;
  const first: Record<string, string> = {};

  beforeAll(async () => {
    ({ db } = await generatedWorld(WORLD));
    for (const table of RAW_TABLE_NAMES)
      first[table] = await fingerprint(db.connection, `gen.${table}`);
    await copyGenerated(db.connection, "first");
  });
  afterAll(() => closeDuckDb(db));

  it("gives every table the same content for the same seed and options", async () => {
    await generateShop(db.connection, { ...DEFAULT_GENERATE_OPTIONS, ...WORLD });
    for (const table of RAW_TABLE_NAMES)
      expect([table, await fingerprint(db.connection, `gen.${table}`)]).toEqual([
        table,
        first[table],
      ]);
  });

  it("gives the same rows however the users are batched", async () => {
    await generateInBatches(db.connection, { ...DEFAULT_GENERATE_OPTIONS, ...WORLD }, 337);
    for (const table of RAW_TABLE_NAMES)
      expect([table, await rowDifference(db.connection, `first.${table}`, `gen.${table}`)]).toEqual(
        [table, { missing: 0, extra: 0 }],
      );
  });

  it("gives every table different content for a different seed", async () => {
    await generateShop(db.connection, { ...DEFAULT_GENERATE_OPTIONS, ...WORLD, seed: 7 });
    for (const table of RAW_TABLE_NAMES)
      expect([table, await fingerprint(db.connection, `gen.${table}`)]).not.toEqual([
        table,
        first[table],
      ]);
  });

  it("does not depend on the number of DuckDB threads", async () => {
    await db.connection.run("set threads = 2");
    await generateShop(db.connection, { ...DEFAULT_GENERATE_OPTIONS, ...WORLD });
    await db.connection.run("set threads = 1");
    for (const table of RAW_TABLE_NAMES)
      expect([table, await fingerprint(db.connection, `gen.${table}`)]).toEqual([
        table,
        first[table],
      ]);
  });
});
