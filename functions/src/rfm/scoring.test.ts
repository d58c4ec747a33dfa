import {
  monetaryThresholds,
  percentileCont,
  scoreFrequency,
  scoreMonetary,
  scoreRecency,
} from "./scoring";

describe("scoreRecency", () => {
  it.each([
    [0, 5],
    [90, 5],
    [91, 4],
    [180, 4],
    [181, 3],
    [365, 3],
    [366, 2],
    [545, 2],
    [546, 1],
  ])("scores %i days since the last purchase as %i", (days, score) => {
    expect(scoreRecency(days)).toBe(score);
  });

  it("rejects negative or fractional days by value", () => {
    expect(() => scoreRecency(-1)).toThrow("-1");
    expect(() => scoreRecency(1.5)).toThrow("1.5");
  });
});

describe("scoreFrequency", () => {
  it.each([
    [1, 3],
    [2, 4],
    [3, 5],
    [12, 5],
  ])("scores %i orders as %i", (orders, score) => {
    expect(scoreFrequency(orders)).toBe(score);
  });

  it("refuses a non-buyer", () => {
    expect(() => scoreFrequency(0)).toThrow(/buyers/);
  });
});

describe("percentileCont", () => {
  it("interpolates linearly between closest ranks", () => {
    expect(percentileCont([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileCont([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48, 10);
  });

  it("returns a tied value exactly when the position falls among ties", () => {
    expect(percentileCont([5, 20, 20, 20, 20, 90], 0.25)).toBe(20);
  });

  it("does not depend on input order", () => {
    expect(percentileCont([3, 1, 2], 0.75)).toBe(percentileCont([1, 2, 3], 0.75));
  });
});

describe("scoreMonetary", () => {
  const thresholds = monetaryThresholds([10, 20, 20, 20, 20, 30, 40, 50, 60, 70, 100]);

  it("scores a value equal to a threshold into the higher band", () => {
    expect(scoreMonetary(thresholds.p25, thresholds)).toBe(2);
    expect(scoreMonetary(thresholds.p95, thresholds)).toBe(5);
  });

  it("gives every tied value the same score", () => {
    expect(thresholds.p25).toBe(20);
    expect(scoreMonetary(20, thresholds)).toBe(2);
    expect(scoreMonetary(19.99, thresholds)).toBe(1);
  });
});
