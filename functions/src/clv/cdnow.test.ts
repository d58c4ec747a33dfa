import { fitBgNbd } from "./bgnbd";
import { fitGammaGamma } from "./gammaGamma";
import {
  CDNOW_CALIBRATION_END,
  CDNOW_PUBLISHED,
  historiesFromTransactions,
  readCdnowRows,
} from "./testing/cdnow";

/** `value` rounded to the number of decimals `published` is given with. */
function toPublishedDigits(value: number, published: number): number {
  const decimals = (String(published).split(".")[1] ?? "").length;
  return Number(value.toFixed(decimals));
}

describe("the CDNOW sample, calibration weeks 1-39", () => {
  const histories = historiesFromTransactions(
    readCdnowRows().map((r) => ({ customer: r.customer, date: r.date, amount: r.dollars })),
    CDNOW_CALIBRATION_END,
  );

  it("has the papers' 2,357 customers, 946 of them repeat buyers", () => {
    expect(histories).toHaveLength(CDNOW_PUBLISHED.customers);
    expect(histories.filter((h) => h.frequency > 0)).toHaveLength(
      CDNOW_PUBLISHED.gammaGamma.repeatBuyers,
    );
  });

  it("reproduces the published BG/NBD parameters to their digits and the log-likelihood to 0.1", () => {
    const fit = fitBgNbd(histories);
    const published = CDNOW_PUBLISHED.bgnbd;
    for (const name of ["r", "alpha", "a", "b"] as const) {
      expect(toPublishedDigits(fit.params[name], published[name])).toBe(published[name]);
    }
    expect(Math.abs(fit.logLikelihood - published.logLikelihood)).toBeLessThanOrEqual(0.1);
  });

  it("reproduces the published Gamma-Gamma parameters to their digits", () => {
    const fit = fitGammaGamma(histories);
    const published = CDNOW_PUBLISHED.gammaGamma;
    expect(fit.customers).toBe(published.repeatBuyers);
    for (const name of ["p", "q", "gamma"] as const) {
      expect(toPublishedDigits(fit.params[name], published[name])).toBe(published[name]);
    }
  });
});
