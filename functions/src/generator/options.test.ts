import { DEFAULT_GENERATE_OPTIONS, generateShop, shardSize } from "./index";
import { resolveOptions } from "./options";
import { closeDuckDb, generatedWorld, scalar } from "./testSupport";

describe("generator options", () => {
  it("resolves the reference world to every user, one shard, and the default two years", () => {
    const resolved = resolveOptions(DEFAULT_GENERATE_OPTIONS);
    expect(resolved).toMatchObject({
      userFrom: 0,
      userTo: null,
      shardIndex: 0,
      shardCount: 1,
      seed: 42,
    });
    expect(resolved.rangeStartDay).toBe(resolved.startDay);
    expect(resolved.asOfDay).toBe(resolved.endDay);
    expect(resolved.endDay - resolved.startDay).toBe(730);
  });

  it.each([
    [{ seed: 1.5 }, "seed"],
    [{ users: 0 }, "users"],
    [{ startDate: "2024-02-30" }, "startDate"],
    [{ endDate: "31/12/2025" }, "endDate"],
    [{ endDate: "2023-12-31" }, "before startDate"],
    [{ userRange: { from: 10, to: 5 } }, "userRange"],
    [{ shard: { index: 3, count: 3 } }, "shard.index"],
    [{ shard: { index: 0, count: 0 } }, "shard"],
    [{ dateRange: { start: "2023-06-01", end: "2024-01-31" } }, "dateRange"],
    [{ dateRange: { start: "2024-03-01", end: "2024-02-01" } }, "dateRange"],
    [{ colour: "blue" }, "colour: unknown option"],
    [{ constructor: 1 }, "constructor: unknown option"],
    [{ shard: { index: 0, count: 2, of: 3 } }, "shard.of: unknown option"],
    [{ seed: "42" }, "seed: expected an integer"],
    [{ seed: 2 ** 31 }, "seed: expected an integer from 0 to 2147483647"],
    [{ users: 100_000_000 }, "users: expected an integer from 1 to 99999999"],
    [{ dateRange: null }, "dateRange: expected an object"],
    [{ userRange: { from: 0 } }, "userRange.to: expected an integer"],
  ])("rejects %j naming the problem", (override, problem) => {
    expect(() => resolveOptions({ ...DEFAULT_GENERATE_OPTIONS, ...override })).toThrow(problem);
  });

  it("rejects options that are not an object, and lists every problem at once", () => {
    expect(() => resolveOptions(null)).toThrow(
      "Invalid generator options: options: expected an object",
    );
    expect(() => resolveOptions([])).toThrow("options: expected an object");
    expect(() =>
      resolveOptions({ ...DEFAULT_GENERATE_OPTIONS, seed: -1, startDate: "2024-13-01" }),
    ).toThrow(
      "Invalid generator options: seed: expected an integer from 0 to 2147483647; startDate: not a calendar date",
    );
  });

  it("leaves existing generated tables untouched when the options are bad", async () => {
    const { db, counts } = await generatedWorld({ users: 200 });
    await expect(
      generateShop(db.connection, { ...DEFAULT_GENERATE_OPTIONS, users: -1 }),
    ).rejects.toThrow("users");
    expect(await scalar(db.connection, "select count(*) from gen.users")).toBe(counts.users);
    closeDuckDb(db);
  });
});

describe("small and empty worlds", () => {
  it("generates a world before its first signup, a world of one user, and an empty user range", async () => {
    const { db, counts } = await generatedWorld({
      users: 1,
      startDate: "2024-01-01",
      endDate: "2024-01-01",
    });
    // The scale spreads one user over two years: nobody has signed up on the first day.
    expect(counts).toMatchObject({ users: 0, sessions: 0, subscriptions: 0, products: 300 });
    const one = await generateShop(db.connection, { ...DEFAULT_GENERATE_OPTIONS, users: 1 });
    expect(one).toMatchObject({ users: 1, subscriptions: 1 });
    const empty = await generateShop(db.connection, {
      ...DEFAULT_GENERATE_OPTIONS,
      users: 10,
      userRange: { from: 3, to: 3 },
    });
    expect(empty).toMatchObject({
      users: 0,
      sessions: 0,
      events: 0,
      subscriptions: 0,
      products: 300,
    });
    closeDuckDb(db);
  });
});

describe("shardSize", () => {
  it("counts the users of each residue, which together are every user exactly once", () => {
    const sizes = [0, 1, 2, 3, 4, 5, 6].map((index) => shardSize(30_001, { index, count: 7 }));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(30_001);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(shardSize(3, { index: 5, count: 7 })).toBe(0);
  });
});
