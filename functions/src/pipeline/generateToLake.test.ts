import { lakeBatches } from "./generateToLake";

describe("lakeBatches", () => {
  it("keeps a run that fits one batch as one batch of every index", () => {
    expect(lakeBatches(30_000, { index: 0, count: 1 }, 30_000)).toEqual([
      { part: { shard: { index: 0, count: 1 }, batch: 0 }, userRange: { from: 0, to: 30_000 } },
    ]);
  });

  it("splits a run into batches of the batch size, numbered, that cover it exactly", () => {
    const batches = lakeBatches(300_001, { index: 0, count: 1 }, 30_000);
    expect(batches).toHaveLength(11);
    expect(batches.map((b) => b.part.batch)).toEqual(Array.from({ length: 11 }, (_, j) => j));
    expect(batches[0]!.userRange.from).toBe(0);
    expect(batches[10]!.userRange.to).toBeGreaterThanOrEqual(300_001);
    for (const [i, b] of batches.entries()) {
      expect(b.userRange.to - b.userRange.from).toBe(30_000);
      if (i > 0) expect(b.userRange.from).toBe(batches[i - 1]!.userRange.to);
    }
  });

  it("gives a shard's batch the same users however far the world reaches", () => {
    const shard = { index: 1, count: 3 };
    const early = lakeBatches(40_000, shard, 10_000);
    const later = lakeBatches(100_003, shard, 10_000);
    expect(later.slice(0, early.length)).toEqual(early);
    // A batch spans count x batchUsers indices: exactly batchUsers of the shard's residue.
    for (const b of later) expect(b.userRange.to - b.userRange.from).toBe(30_000);
    expect(later).toHaveLength(Math.ceil(33_334 / 10_000));
  });

  it("keeps one batch for a shard with no users yet, so every day gets its files", () => {
    expect(lakeBatches(0, { index: 2, count: 4 }, 100)).toHaveLength(1);
  });

  it("rejects a bad batch size or shard", () => {
    expect(() => lakeBatches(100, { index: 0, count: 1 }, 0)).toThrow(/batchUsers/);
    expect(() => lakeBatches(100, { index: 1, count: 1 }, 10)).toThrow(/shard index/);
  });
});
