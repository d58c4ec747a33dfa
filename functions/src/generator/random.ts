/**
 * Deterministic randomness, in SQL and in JS.
 *
 * Every draw is a pure function of (seed, a salt naming the draw, the row's stable keys), never of
 * row order or thread scheduling, so any user range or date range of the world can be generated
 * on its own and comes out identical. DuckDB's `hash()` is deterministic whatever the thread
 * count (`random()` is not); one 64-bit hash yields three independent 21-bit uniforms.
 */

/** Salts name the draws; distinct salts give independent streams for the same keys. */
export const SALT = {
  /** Users: type, device, region. */
  user: 101,
  /** Users: channel and rhythm. */
  userShape: 102,
  /** Users: lifetime and rounding of the visit count. */
  userLifetime: 112,
  /** Users: visit-count spread and the anomaly draw. */
  userVisits: 122,
  /** Users: anomaly kind and size. */
  userAnomaly: 103,
  /** Sessions: gap, hour. */
  session: 201,
  /** Sessions: purchase and browsing depth. */
  sessionFunnel: 202,
  /** Sessions: checkout depth, product, device. */
  sessionTiming: 203,
  /** Sessions: delays between funnel steps. */
  sessionDelays: 204,
  /** Sessions: whether a product is viewed, the browsing pace, the page-count acceptance draw. */
  sessionBrowse: 205,
  /** Sessions: the normal draw behind the number of product pages. */
  sessionViewCount: 206,
  /** Product pages: the page's extra seconds and its product. */
  productView: 207,
  /** Orders: number of lines. */
  orderLines: 301,
  /** Order lines: product and quantity. */
  orderLineDraws: 302,
  /** Subscriptions: plan and start. */
  subscription: 401,
  /** Subscriptions: end and status. */
  subscriptionEnd: 402,
} as const;

/**
 * SQL for a 64-bit hash of (seed, salt, keys). DuckDB's multi-argument `hash(a, b, c)` XORs the
 * last argument's hash into a mix of the others, so `hash(seed, salt1, key)` and
 * `hash(seed, salt2, key)` differ only by a constant XOR: draws named by different salts (or
 * made with different seeds) would be correlated bit for bit. The keys are therefore hashed
 * first, XORed with a 64-bit constant derived from (seed, salt) in JS, and hashed again; DuckDB's
 * single-value hash is a full 64-bit avalanche mix, so the streams are independent.
 */
export function hashSql(seed: number, salt: number, ...keys: string[]): string {
  return `hash(xor(hash(${keys.join(", ")}), ${streamConstant(seed, salt)}::ubigint))`;
}

/** splitmix64 of (seed, salt): a 64-bit constant per random stream, as a decimal string. */
export function streamConstant(seed: number, salt: number): string {
  const mask = (1n << 64n) - 1n;
  let z = (BigInt(seed) * 0x9e3779b97f4a7c15n + BigInt(salt) * 0xbf58476d1ce4e5b9n) & mask;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
  return (z ^ (z >> 31n)).toString();
}

const BITS = 21;
const MASK = 2 ** BITS - 1;

/**
 * SQL for uniform number `slot` (0, 1 or 2) in the open interval (0, 1) taken from the bits of a
 * hash column. Open at both ends, so `ln(u)` and `1 / u` are always finite.
 */
export function uniformSql(hashColumn: string, slot: 0 | 1 | 2): string {
  // DOUBLE arithmetic throughout: a bare `0.5` would be a DECIMAL literal in DuckDB, and DECIMAL
  // arithmetic over millions of rows is several times slower.
  return `(((${hashColumn} >> ${slot * BITS}) & ${MASK})::double * ${2 ** -BITS}::double + ${2 ** -(BITS + 1)}::double)`;
}

/** SQL for a standard normal draw from two uniforms (Box-Muller). */
export function normalSql(u1: string, u2: string): string {
  return `(sqrt(-2 * ln(${u1})) * cos(2 * pi() * ${u2}))`;
}

/** SQL that picks index 0..n-1 by cumulative `shares` (which sum to 1) for a uniform `u`. */
export function categoricalSql(u: string, shares: readonly number[]): string {
  let cumulative = 0;
  const branches = shares.slice(0, -1).map((share, index) => {
    cumulative += share;
    return `when ${u} < ${cumulative} then ${index}`;
  });
  return `(case ${branches.join(" ")} else ${shares.length - 1} end)`;
}

/**
 * A small seeded generator for the JS-side parts of the world (catalogue, promo calendar, signup
 * schedule). Keyed like the SQL draws: `uniform(stream, index)` depends only on the seed, the
 * stream and the index, never on call order.
 */
export function jsRandom(seed: number): {
  uniform(stream: number, index: number): number;
  normal(stream: number, index: number): number;
} {
  const uniform = (stream: number, index: number): number => {
    let h = mix32(seed ^ 0x9e3779b9);
    h = mix32(h ^ Math.imul(stream + 1, 0x85ebca6b));
    h = mix32(h ^ Math.imul(index + 1, 0xc2b2ae35));
    return (h + 0.5) / 2 ** 32;
  };
  return {
    uniform,
    normal: (stream, index) => {
      const u1 = uniform(stream, 2 * index);
      const u2 = uniform(stream, 2 * index + 1);
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
  };
}

/** murmur3's 32-bit finaliser: a bijective avalanche mix, returned unsigned. */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
