import { bootstrap, differenceOfMeans, mannWhitneyU, twoProportionTest, welchTTest } from "./index";
import stdlibMt19937 from "@stdlib/random-base-mt19937";
import { acceleration, bootstrapDistribution, Mt19937 } from "./bootstrap";
import { averageRanks, exactUpperTail } from "./mannWhitney";
import { rateAgainstThreshold } from "./proportions";

describe("edge cases of the tests", () => {
  it("refuses a Welch test on a group of one value, naming the sizes", () => {
    expect(() => welchTTest([1], [1, 2, 3])).toThrow(/two values per group, got 1 and 3/);
  });

  it("refuses counts that are not a share of their group", () => {
    expect(() => twoProportionTest(5, 4, 1, 10)).toThrow(/group A/);
    expect(() => rateAgainstThreshold(1, 10, 1.5)).toThrow(/threshold/);
  });

  it("gives equal rates a z of 0 and a p-value of 1, and no rate at all a p-value of 1", () => {
    expect(twoProportionTest(30, 100, 30, 100)).toMatchObject({ z: 0, pValue: 1 });
    expect(twoProportionTest(0, 100, 0, 80)).toMatchObject({ z: 0, pValue: 1, difference: 0 });
  });

  it("flips the rank-biserial correlation and keeps the p-value when the groups swap", () => {
    const x = [3, 5, 8, 9, 12, 15, 1, 0, 0];
    const y = [1, 2, 2, 4, 0, 0, 7];
    const forward = mannWhitneyU(x, y);
    const backward = mannWhitneyU(y, x);
    expect(backward.rankBiserial).toBeCloseTo(-forward.rankBiserial, 12);
    expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
  });

  it("averages the ranks of ties", () => {
    expect(averageRanks([10, 20, 10, 30])).toEqual({ ranks: [1.5, 3, 1.5, 4], ties: [2, 1, 1] });
  });

  it("puts the whole exact U distribution's mass at or above 0", () => {
    expect(exactUpperTail(3, 4, 0)).toBeCloseTo(1, 12);
    // 1 of C(7, 3) = 35 arrangements has U = 12, its largest value.
    expect(exactUpperTail(3, 4, 12)).toBeCloseTo(1 / 35, 12);
  });
});

describe("the bootstrap is reproducible", () => {
  const treated = [0, 0, 0, 12.5, 0, 40, 0, 0, 8.99, 0, 0, 70];
  const control = [0, 0, 9.5, 0, 0, 0, 0, 0, 0, 0, 15, 0, 0];

  it("gives the same interval for the same seed", () => {
    const a = bootstrap([treated, control], differenceOfMeans, { seed: 5, resamples: 500 });
    const b = bootstrap([treated, control], differenceOfMeans, { seed: 5, resamples: 500 });
    expect(a).toEqual(b);
  });

  it("gives another interval for another seed, around the same estimate", () => {
    const a = bootstrap([treated, control], differenceOfMeans, { seed: 5, resamples: 500 });
    const b = bootstrap([treated, control], differenceOfMeans, { seed: 6, resamples: 500 });
    expect(a.ciLow).not.toBe(b.ciLow);
    expect(a.estimate).toBe(b.estimate);
    expect(a.ciLow).toBeLessThan(a.estimate);
    expect(a.ciHigh).toBeGreaterThan(a.estimate);
  });
});

describe("the bootstrap's generator", () => {
  it("draws stdlib's MT19937 stream for a seed, through several refills of its state", () => {
    for (const seed of [1, 5489, 20240601, 2147483647]) {
      const ours = new Mt19937(seed);
      const theirs = stdlibMt19937.factory({ seed });
      const a = Array.from({ length: 2000 }, () => ours.next());
      const b = Array.from({ length: 2000 }, () => theirs());
      expect(a).toEqual(b);
    }
  });

  it("skips to the same output as drawing, across refills of its state", () => {
    for (const count of [0, 1, 623, 624, 625, 5000]) {
      const drawn = new Mt19937(20240601);
      for (let i = 0; i < count; i++) drawn.next();
      const skipped = new Mt19937(20240601);
      skipped.skip(count);
      expect(skipped.next()).toBe(drawn.next());
    }
  });

  it("leaves the jackknife's result as a fresh copy per left-out value gives it", () => {
    // The acceleration reuses one buffer; this statistic depends on the order of its input, so a
    // buffer that lost the group's order would change the interval.
    const ordered = (x: readonly number[], y: readonly number[]) =>
      x.reduce((s, v, i) => s + v * (i + 1), 0) / x.length - y[0]!;
    const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const y = [2, 7, 1, 8];
    const leaveOut = x.map((_, i) => ordered([...x.slice(0, i), ...x.slice(i + 1)], y));
    const dot = leaveOut.reduce((s, v) => s + v, 0) / x.length;
    const u = leaveOut.map((v) => (x.length - 1) * (dot - v));
    const yOut = y.map((_, i) => ordered(x, [...y.slice(0, i), ...y.slice(i + 1)]));
    const yDot = yOut.reduce((s, v) => s + v, 0) / y.length;
    const w = yOut.map((v) => (y.length - 1) * (yDot - v));
    const expected =
      (u.reduce((s, v) => s + v ** 3, 0) / x.length ** 3 +
        w.reduce((s, v) => s + v ** 3, 0) / y.length ** 3) /
      (6 *
        (u.reduce((s, v) => s + v ** 2, 0) / x.length ** 2 +
          w.reduce((s, v) => s + v ** 2, 0) / y.length ** 2) **
          1.5);
    expect(acceleration([x, y], ordered)).toBeCloseTo(expected, 12);
  });

  it("resamples the difference of means from sums to the same values as from resampled groups", () => {
    const x = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 101) / 7);
    const y = Array.from({ length: 200 }, (_, i) => ((i * 104729) % 97) / 3);
    const plain = (a: number[], b: number[]) => differenceOfMeans(a, b);
    expect(differenceOfMeans.ofSums).toBeDefined();
    expect(bootstrapDistribution([x, y], differenceOfMeans, 400, 11)).toEqual(
      bootstrapDistribution([x, y], plain, 400, 11),
    );
  });

  it("gives the difference of means' closed-form jackknife the value of calling it per value", () => {
    const x = [0, 0, 12.5, 0, 40, 0, 8.99, 0, 70, 3.25];
    const y = [0, 9.5, 0, 0, 15, 0, 0, 1.75];
    const plain = (a: number[], b: number[]) => differenceOfMeans(a, b);
    expect(differenceOfMeans.leaveOneOut).toBeDefined();
    expect(acceleration([x, y], differenceOfMeans)).toBeCloseTo(acceleration([x, y], plain), 12);
    expect(acceleration([x, y], differenceOfMeans)).not.toBeCloseTo(0, 3);
  });
});
