import gammaln from "@stdlib/math-base-special-gammaln";
import type { CustomerSpend } from "./history";
import { maximizePositive } from "./maximize";

/**
 * The Gamma-Gamma model of spend (Fader, Hardie and Lee, "RFM and CLV: Using Iso-Value Curves",
 * JMR 2005, and Fader and Hardie's note on it): each transaction's value is Gamma(p, ν) around a
 * customer's own mean, with ν ~ Gamma(q, γ) across customers. It assumes a customer's spend per
 * transaction does not depend on how often they buy; `spendFrequencyCorrelation` checks it.
 */
export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

export interface GammaGammaFit {
  readonly params: GammaGammaParams;
  readonly logLikelihood: number;
  /** Repeat buyers the fit used. */
  readonly customers: number;
}

/** One repeat buyer's log-likelihood of their mean repeat value m̄ given x transactions. */
export function gammaGammaCustomerLogLikelihood(g: GammaGammaParams, s: CustomerSpend): number {
  return customerTerm(g, s, shapeTerm(g, s.frequency), gammaln(g.q));
}

/** lnΓ(px + q) - lnΓ(px): the log-gamma part of a buyer's term that depends on x. */
function shapeTerm(g: GammaGammaParams, x: number): number {
  const px = g.p * x;
  return gammaln(px + g.q) - gammaln(px);
}

/**
 * The buyer's log-likelihood given its two log-gamma terms: `shape` = lnΓ(px + q) - lnΓ(px)
 * (a function of x alone for given parameters) and `lnGammaQ` = lnΓ(q).
 */
function customerTerm(
  g: GammaGammaParams,
  s: CustomerSpend,
  shape: number,
  lnGammaQ: number,
): number {
  const { p, q, gamma } = g;
  const x = s.frequency;
  const m = s.monetary;
  return (
    shape -
    lnGammaQ +
    q * Math.log(gamma) +
    (p * x - 1) * Math.log(m) +
    p * x * Math.log(x) -
    (p * x + q) * Math.log(gamma + m * x)
  );
}

/**
 * The sum over buyers. The log-gamma terms depend on a buyer only through x, which takes a few
 * values, so each is computed once per x: the fit evaluates this a few hundred times, and
 * lnΓ per buyer was most of the CLV step's time. The same value to the bit as summing
 * `gammaGammaCustomerLogLikelihood` (tested).
 */
export function gammaGammaLogLikelihood(
  g: GammaGammaParams,
  spends: readonly CustomerSpend[],
): number {
  const lnGammaQ = gammaln(g.q);
  const shapes = new Map<number, number>();
  let sum = 0;
  for (const s of spends) {
    let shape = shapes.get(s.frequency);
    if (shape === undefined) {
      shape = shapeTerm(g, s.frequency);
      shapes.set(s.frequency, shape);
    }
    sum += customerTerm(g, s, shape, lnGammaQ);
  }
  return sum;
}

/**
 * Fits p, q, γ by maximum likelihood on the repeat buyers (frequency >= 1, positive mean value);
 * anyone else carries no information about spend per repeat transaction and is left out.
 */
export function fitGammaGamma(spends: readonly CustomerSpend[]): GammaGammaFit {
  const repeat = spends.filter((s) => s.frequency > 0);
  const bad = repeat.findIndex((s) => !(s.monetary > 0) || !Number.isInteger(s.frequency));
  if (bad >= 0) {
    throw new Error(
      `Gamma-Gamma: repeat buyer ${bad} has monetary ${repeat[bad]!.monetary}; values must be positive`,
    );
  }
  if (repeat.length < 2) throw new Error("Gamma-Gamma: fewer than two repeat buyers to fit");
  const logLikelihood = ([p, q, gamma]: readonly number[]) =>
    gammaGammaLogLikelihood({ p: p!, q: q!, gamma: gamma! }, repeat);
  const meanValue = repeat.reduce((s, r) => s + r.monetary, 0) / repeat.length;
  const max = maximizePositive(logLikelihood, [1, 2, meanValue], "Gamma-Gamma");
  const [p, q, gamma] = max.params as [number, number, number];
  return { params: { p, q, gamma }, logLikelihood: max.logLikelihood, customers: repeat.length };
}

/**
 * E[M | p, q, γ, m̄, x]: the expected value of the customer's future transactions, a weighted
 * mean of the population mean γp/(q-1) and the customer's own m̄, the weight on m̄ growing with
 * x. A customer with no repeat purchase gets the population mean. Needs q > 1 (a finite mean).
 */
export function expectedAverageValue(g: GammaGammaParams, s: CustomerSpend): number {
  const { p, q, gamma } = g;
  if (!(q > 1)) throw new Error(`Gamma-Gamma: q = ${q} <= 1, the mean spend is not finite`);
  if (s.frequency === 0) return (gamma * p) / (q - 1);
  return (p * (gamma + s.frequency * s.monetary)) / (p * s.frequency + q - 1);
}

/**
 * Pearson correlation between frequency and mean repeat value among repeat buyers: the model
 * assumes these are independent, so a value far from 0 says its value predictions are biased.
 */
export function spendFrequencyCorrelation(spends: readonly CustomerSpend[]): number {
  const repeat = spends.filter((s) => s.frequency > 0);
  const n = repeat.length;
  if (n < 3) return Number.NaN;
  const mx = repeat.reduce((s, r) => s + r.frequency, 0) / n;
  const my = repeat.reduce((s, r) => s + r.monetary, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const r of repeat) {
    sxy += (r.frequency - mx) * (r.monetary - my);
    sxx += (r.frequency - mx) ** 2;
    syy += (r.monetary - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}
