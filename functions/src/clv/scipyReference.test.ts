import { expectedTransactions, fitBgNbd, probabilityAlive } from "./bgnbd";
import { expectedAverageValue, fitGammaGamma } from "./gammaGamma";
import { CDNOW_CALIBRATION_END, historiesFromTransactions, readCdnowRows } from "./testing/cdnow";
import reference from "./testing/scipyReference.json";

/**
 * Per-customer predictions against SciPy (`testing/scipy_reference.py`, Debian's python3-scipy):
 * at SciPy's fitted parameters the two implementations must agree to near machine precision, so
 * a difference here is a formula or special-function difference, not an optimiser's.
 */
describe("CLV predictions against SciPy on CDNOW", () => {
  const bg = reference.bgnbd;
  const gg = reference.gamma_gamma;
  const histories = new Map(
    historiesFromTransactions(
      readCdnowRows().map((r) => ({ customer: r.customer, date: r.date, amount: r.dollars })),
      CDNOW_CALIBRATION_END,
    ).map((h) => [h.customer, h]),
  );

  it("summarises each reference customer as SciPy's script does", () => {
    for (const c of reference.customers) {
      const h = histories.get(c.customer)!;
      expect(h.frequency).toBe(c.frequency);
      expect(h.recency).toBeCloseTo(c.recency, 12);
      expect(h.age).toBeCloseTo(c.age, 12);
      expect(h.monetary).toBeCloseTo(c.monetary, 10);
    }
  });

  it.each(reference.customers.map((c) => [c.customer, c] as const))(
    "agrees on customer %s's P(alive), expected transactions and value",
    (_id, c) => {
      const h = histories.get(c.customer)!;
      const relative = (ours: number, theirs: number) => Math.abs(ours / theirs - 1);
      expect(relative(probabilityAlive(bg, h), c.p_alive)).toBeLessThan(1e-10);
      for (const [t, value] of Object.entries(c.expected_transactions)) {
        expect(relative(expectedTransactions(bg, h, Number(t)), value)).toBeLessThan(1e-6);
      }
      expect(relative(expectedAverageValue(gg, h), c.expected_value)).toBeLessThan(1e-10);
    },
  );

  it("finds the same maxima as SciPy's Nelder-Mead", () => {
    const list = [...histories.values()];
    const ours = fitBgNbd(list);
    expect(Math.abs(ours.logLikelihood - bg.log_likelihood)).toBeLessThan(1e-6);
    for (const name of ["r", "alpha", "a", "b"] as const)
      expect(Math.abs(ours.params[name] / bg[name] - 1)).toBeLessThan(1e-4);
    const spend = fitGammaGamma(list);
    expect(Math.abs(spend.logLikelihood - gg.log_likelihood)).toBeLessThan(1e-6);
    for (const name of ["p", "q", "gamma"] as const)
      expect(Math.abs(spend.params[name] / gg[name] - 1)).toBeLessThan(1e-4);
  });
});
