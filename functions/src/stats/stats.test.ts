import { bootstrap, differenceOfMeans, mannWhitneyU, twoProportionTest, welchTTest } from "./index";
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
