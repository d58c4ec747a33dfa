import {
  expectedAverageValue,
  fitGammaGamma,
  gammaGammaCustomerLogLikelihood,
  gammaGammaLogLikelihood,
  spendFrequencyCorrelation,
} from "./gammaGamma";
import { simulateCustomers } from "./testing/simulate";

const PARAMS = { p: 6.25, q: 3.74, gamma: 15.44 };

describe("expectedAverageValue", () => {
  it("gives a customer without repeat purchases the population mean γp/(q-1)", () => {
    const mean = (PARAMS.gamma * PARAMS.p) / (PARAMS.q - 1);
    expect(expectedAverageValue(PARAMS, { frequency: 0, monetary: 0 })).toBeCloseTo(mean, 12);
  });

  it("moves from the population mean towards the customer's own mean as purchases add up", () => {
    const mean = (PARAMS.gamma * PARAMS.p) / (PARAMS.q - 1);
    const own = 100;
    const few = expectedAverageValue(PARAMS, { frequency: 1, monetary: own });
    const many = expectedAverageValue(PARAMS, { frequency: 50, monetary: own });
    expect(few).toBeGreaterThan(mean);
    expect(many).toBeGreaterThan(few);
    expect(many).toBeLessThan(own);
    expect(own - many).toBeLessThan(0.05 * own);
  });

  it("refuses q <= 1, where the mean spend is infinite", () => {
    expect(() =>
      expectedAverageValue({ p: 1, q: 1, gamma: 1 }, { frequency: 0, monetary: 0 }),
    ).toThrow("q = 1");
  });
});

describe("gammaGammaLogLikelihood", () => {
  it("is the sum of every repeat buyer's log-likelihood, to the bit", () => {
    const sample = simulateCustomers(
      { r: 2, alpha: 4, a: 0.5, b: 6 },
      PARAMS,
      2000,
      { min: 20, max: 60 },
      5,
    ).filter((s) => s.frequency > 0);
    expect(new Set(sample.map((s) => s.frequency)).size).toBeGreaterThan(3);
    const each = sample.reduce((sum, s) => sum + gammaGammaCustomerLogLikelihood(PARAMS, s), 0);
    expect(gammaGammaLogLikelihood(PARAMS, sample)).toBe(each);
  });
});

describe("fitGammaGamma", () => {
  it("recovers the parameters of spends drawn from the model", () => {
    const planted = { p: 4, q: 5, gamma: 20 };
    const sample = simulateCustomers(
      { r: 2, alpha: 4, a: 0.5, b: 6 },
      planted,
      6000,
      { min: 20, max: 60 },
      11,
    );
    const fit = fitGammaGamma(sample);
    // p/(q-1)·γ, the population mean spend, is what the data pins down best.
    const meanOf = (g: typeof planted) => (g.p * g.gamma) / (g.q - 1);
    expect(Math.abs(meanOf(fit.params) / meanOf(planted) - 1)).toBeLessThan(0.05);
    expect(Math.abs(fit.params.p / planted.p - 1)).toBeLessThan(0.15);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(
      gammaGammaLogLikelihood(
        planted,
        sample.filter((s) => s.frequency > 0),
      ),
    );
  });

  it("fits on repeat buyers only", () => {
    const sample = simulateCustomers(
      { r: 1, alpha: 5, a: 1, b: 3 },
      PARAMS,
      500,
      { min: 10, max: 30 },
      3,
    );
    expect(fitGammaGamma(sample).customers).toBe(sample.filter((s) => s.frequency > 0).length);
  });

  it("names a repeat buyer whose mean value is not positive", () => {
    const spends = [
      { frequency: 2, monetary: 10 },
      { frequency: 1, monetary: 0 },
      { frequency: 3, monetary: 5 },
    ];
    expect(() => fitGammaGamma(spends)).toThrow("repeat buyer 1 has monetary 0");
  });
});

describe("spendFrequencyCorrelation", () => {
  it("is near 0 when spend is drawn independently of frequency, as the model assumes", () => {
    const sample = simulateCustomers(
      { r: 1, alpha: 5, a: 1, b: 3 },
      PARAMS,
      4000,
      { min: 30, max: 60 },
      5,
    );
    expect(Math.abs(spendFrequencyCorrelation(sample))).toBeLessThan(0.1);
  });

  it("is 1 when spend rises in step with frequency", () => {
    const spends = [1, 2, 3, 4].map((x) => ({ frequency: x, monetary: 10 * x }));
    expect(spendFrequencyCorrelation(spends)).toBeCloseTo(1, 12);
  });
});
