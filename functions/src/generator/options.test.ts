import { DEFAULT_GENERATE_OPTIONS, generateShop, shardUserRange } from "./index";
import { resolveOptions } from "./options";
import { closeDuckDb, generatedWorld, scalar } from "./testSupport";

describe("generator options", () => {
  it("resolves the reference world to the whole user range and horizon", () => {
    const resolved = resolveOptions(DEFAULT_GENERATE_OPTIONS);
    expect(resolved).toMatchObject({ userFrom: 0, userTo: 30_000, seed: 42 });
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
    [{ userRange: { from: 0, to: 30_001 } }, "userRange"],
    [{ dateRange: { start: "2023-06-01", end: "2024-01-31" } }, "dateRange"],
    [{ dateRange: { start: "2024-03-01", end: "2024-02-01" } }, "dateRange"],
    [{ colour: "blue" }, "colour"],
  ])("rejects %j naming the problem", (override, problem) => {
    expect(() => resolveOptions({ ...DEFAULT_GENERATE_OPTIONS, ...override })).toThrow(problem);
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
  it("generates a one-day world of one user, and an empty user range, without error", async () => {
    const { db, counts } = await generatedWorld({
      users: 1,
      startDate: "2024-01-01",
      endDate: "2024-01-01",
    });
    expect(counts).toMatchObject({ users: 1, sessions: 1, subscriptions: 1, promo_calendar: 0 });
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

describe("shardUserRange", () => {
  it("splits users into contiguous ranges that cover every user exactly once", () => {
    const ranges = [0, 1, 2, 3, 4, 5, 6].map((i) => shardUserRange(30_001, i, 7));
    expect(ranges[0]?.from).toBe(0);
    expect(ranges[6]?.to).toBe(30_001);
    ranges.slice(1).forEach((range, i) => expect(range.from).toBe(ranges[i]?.to));
    expect(
      Math.max(...ranges.map((r) => r.to - r.from)) - Math.min(...ranges.map((r) => r.to - r.from)),
    ).toBeLessThanOrEqual(1);
  });

  it("rejects an index outside the shard count", () => {
    expect(() => shardUserRange(100, 3, 3)).toThrow("shard index");
    expect(() => shardUserRange(100, 0, 0)).toThrow("shard count");
  });
});
