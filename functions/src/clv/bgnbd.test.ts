import {
  bgnbdLogLikelihood,
  expectedTransactions,
  fitBgNbd,
  probabilityAlive,
  type BgNbdParams,
} from "./bgnbd";
import { simulateCustomers } from "./testing/simulate";

const PARAMS: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe("probabilityAlive", () => {
  it("is 1 for a customer who has not bought again: dropping out follows a purchase", () => {
    expect(probabilityAlive(PARAMS, { frequency: 0, recency: 0, age: 30 })).toBe(1);
  });

  it("falls as the silence since the last purchase grows", () => {
    const recent = probabilityAlive(PARAMS, { frequency: 3, recency: 30, age: 32 });
    const silent = probabilityAlive(PARAMS, { frequency: 3, recency: 10, age: 32 });
    expect(recent).toBeGreaterThan(silent);
    expect(silent).toBeGreaterThan(0);
    expect(recent).toBeLessThan(1);
  });

  it("falls faster for a frequent buyer, whose silence is more telling", () => {
    const frequent = probabilityAlive(PARAMS, { frequency: 10, recency: 10, age: 30 });
    const rare = probabilityAlive(PARAMS, { frequency: 1, recency: 10, age: 30 });
    expect(frequent).toBeLessThan(rare);
  });
});

describe("expectedTransactions", () => {
  const history = { frequency: 2, recency: 20, age: 30 };

  it("is 0 over no time and grows with the horizon", () => {
    expect(expectedTransactions(PARAMS, history, 0)).toBe(0);
    const values = [13, 26, 52].map((t) => expectedTransactions(PARAMS, history, t));
    expect(values[0]).toBeGreaterThan(0);
    expect(values[1]).toBeGreaterThan(values[0]!);
    expect(values[2]).toBeGreaterThan(values[1]!);
  });

  it("over a short horizon is the rate times the time, times P(alive)", () => {
    // For small t, E[Y(t)] ≈ P(alive) · E[λ | x, t_x, T] · t with E[λ | ...] = (r+x)/(α+T).
    const t = 1e-4;
    const rate = (PARAMS.r + history.frequency) / (PARAMS.alpha + history.age);
    const expected = probabilityAlive(PARAMS, history) * rate * t;
    expect(expectedTransactions(PARAMS, history, t)).toBeCloseTo(expected, 9);
  });

  it("refuses a negative horizon", () => {
    expect(() => expectedTransactions(PARAMS, history, -1)).toThrow("negative");
  });
});

describe("fitBgNbd", () => {
  it("recovers the parameters of customers drawn from the model", () => {
    const planted = { r: 0.5, alpha: 6, a: 1.4, b: 3.2 };
    const sample = simulateCustomers(
      planted,
      { p: 6, q: 4, gamma: 15 },
      8000,
      { min: 20, max: 60 },
      7,
    );
    const fit = fitBgNbd(sample);
    // 8,000 customers pin r and α within a few percent; a and b are less sharply identified.
    expect(fit.params.r).toBeCloseTo(planted.r, 1);
    expect(Math.abs(fit.params.alpha / planted.alpha - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.a / planted.a - 1)).toBeLessThan(0.3);
    expect(Math.abs(fit.params.b / planted.b - 1)).toBeLessThan(0.3);
    // The maximum beats the planted parameters on the sample it was fitted to.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdLogLikelihood(planted, sample));
  });

  it("refuses a sample without a repeat purchase, which carries no information on drop-out", () => {
    expect(() => fitBgNbd([{ frequency: 0, recency: 0, age: 10 }])).toThrow("repeat purchase");
  });

  it("names the customer whose history is impossible", () => {
    const bad = [
      { frequency: 1, recency: 5, age: 10 },
      { frequency: 2, recency: 12, age: 10 },
    ];
    expect(() => fitBgNbd(bad)).toThrow("customer 1");
  });
});
