import type { BgNbdParams } from "../bgnbd";
import type { GammaGammaParams } from "../gammaGamma";
import type { CustomerHistory, CustomerSpend } from "../history";

/**
 * Customers drawn from the BG/NBD and Gamma-Gamma models themselves, with known parameters, so a
 * test can check that the fits recover what was planted. Seeded (mulberry32), so a failing case
 * reproduces.
 */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, scale 1) by Marsaglia and Tsang, with the shape < 1 boost. */
export function gammaDraw(u: () => number, shape: number): number {
  if (shape < 1) return gammaDraw(u, shape + 1) * Math.pow(1 - u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(u);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - u()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

export interface SimulatedCustomer extends CustomerHistory, CustomerSpend {}

/**
 * `n` customers observed for ages spread evenly over [minAge, maxAge]: each buys at rate
 * λ ~ Gamma(r, 1/α) while alive and drops out after each purchase with p ~ Beta(a, b); each
 * transaction's value is Gamma(p, scale 1/ν) with ν ~ Gamma(q, 1/γ).
 */
export function simulateCustomers(
  bg: BgNbdParams,
  gg: GammaGammaParams,
  n: number,
  ages: { min: number; max: number },
  seed: number,
): SimulatedCustomer[] {
  const u = seededUniform(seed);
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const age = ages.min + ((ages.max - ages.min) * i) / Math.max(1, n - 1);
    const lambda = gammaDraw(u, bg.r) / bg.alpha;
    const ga = gammaDraw(u, bg.a);
    const dropout = ga / (ga + gammaDraw(u, bg.b));
    const nu = gammaDraw(u, gg.q) / gg.gamma;
    let time = 0;
    let last = 0;
    let x = 0;
    let spend = 0;
    for (;;) {
      time += -Math.log(1 - u()) / lambda;
      if (time > age) break;
      x += 1;
      last = time;
      spend += gammaDraw(u, gg.p) / nu;
      if (u() < dropout) break;
    }
    out.push({ frequency: x, recency: last, age, monetary: x > 0 ? spend / x : 0 });
  }
  return out;
}
