import { shardUserRange } from "../generator";
import { lakeBatches } from "./generateToLake";

describe("lakeBatches", () => {
  it("keeps a run that fits one batch as it is", () => {
    expect(lakeBatches(30_000, { index: 0, count: 1 }, 30_000)).toEqual([
      { shard: { index: 0, count: 1 }, userRange: { from: 0, to: 30_000 } },
    ]);
  });

  it("splits a run into batches of at most the batch size that cover it exactly", () => {
    const batches = lakeBatches(300_001, { index: 0, count: 1 }, 30_000);
    expect(batches).toHaveLength(11);
    expect(batches.map((b) => b.shard)).toEqual(
      Array.from({ length: 11 }, (_, index) => ({ index, count: 11 })),
    );
    expect(batches[0]!.userRange.from).toBe(0);
    expect(batches[10]!.userRange.to).toBe(300_001);
    for (const [i, b] of batches.entries()) {
      expect(b.userRange.to - b.userRange.from).toBeLessThanOrEqual(30_000);
      if (i > 0) expect(b.userRange.from).toBe(batches[i - 1]!.userRange.to);
    }
  });

  it("nests every shard's batches inside that shard, with one file naming for the fan-out", () => {
    const users = 100_003;
    for (const index of [0, 1, 2]) {
      const shard = { index, count: 3 };
      const batches = lakeBatches(users, shard, 10_000);
      const range = shardUserRange(users, index, 3);
      expect(batches[0]!.userRange.from).toBe(range.from);
      expect(batches[batches.length - 1]!.userRange.to).toBe(range.to);
      expect(batches.map((b) => b.shard.count)).toEqual(batches.map(() => 3 * batches.length));
      expect(batches.map((b) => b.shard.index)).toEqual(
        batches.map((_, j) => index * batches.length + j),
      );
    }
  });

  it("rejects a bad batch size or shard", () => {
    expect(() => lakeBatches(100, { index: 0, count: 1 }, 0)).toThrow(/batchUsers/);
    expect(() => lakeBatches(100, { index: 1, count: 1 }, 10)).toThrow(/shard index/);
  });
});
