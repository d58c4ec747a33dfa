/**
 * Every probability, decay, cap and schedule of the synthetic shop, in one place.
 *
 * The generator's SQL and its small JS parts (catalogue, promo calendar, signup schedule) read
 * only from here, so a reviewer can change the world by editing numbers, and `docs/
 * generation-rules.md` can explain each one. Each constant says why it has its value: most are
 * set so that the reference scale of SPEC comes out (~0.75M sessions, ~1.8M events, ~15k orders,
 * ~25k order lines for 30k users over two years) while the planted effects stay visible.
 */
import type { USER_TYPES } from "../contract";

/** One of the four latent behaviour types. */
export type UserType = (typeof USER_TYPES)[number];

// ------------------------------------------------------------------------------------------------
// World and scale
// ------------------------------------------------------------------------------------------------

/**
 * The reference world. A world is its seed, first day and scale; it has no last day (SPEC: the
 * world is open-ended and prefix-stable), so the cloud can extend it one day a night for ever.
 * `endDate` is only how far `npm start` generates by default.
 */
export const WORLD = {
  /** Any integer works; 42 is the documented default so every figure in the docs can be reproduced. */
  seed: 42,
  /** SPEC's reference scale: users who sign up over the first `SIGNUPS.scaleDays` days. */
  users: 30_000,
  /**
   * Two calendar years by default: long enough that most users have 180 days of observation (LTV)
   * and that the earliest buyers can fall into RFM recency band 1 (> 545 days since the last
   * purchase).
   */
  startDate: "2024-01-01",
  endDate: "2025-12-31",
  /**
   * Users per batch. The pipeline generates a batch, writes it to the lake and drops it before
   * the next (`pipeline/generateToLake.ts`), so memory holds one batch's rows at any scale: the
   * reference scale is one batch, and 10x users is ten batches at the same peak (~0.8 GiB RSS
   * with a 500MB DuckDB limit, where keeping all ten in memory peaked at 1.6 GiB). Intermediate
   * tables (sessions with their hidden draws) are per batch inside the generator too.
   */
  batchUsers: 30_000,
  /**
   * Version of the behaviour model. The same seed gives other rows when the model changes, so
   * the version is part of a world's identity (the world manifest): data written by another
   * model version is another world, refused rather than mixed.
   */
  modelVersion: "3",
} as const;

// ------------------------------------------------------------------------------------------------
// Signups
// ------------------------------------------------------------------------------------------------

export const SIGNUPS = {
  /**
   * What the scale means: `users` is the number of users who sign up over the world's first
   * `scaleDays` days (two years, the default horizon). The daily rate is scaled once to that, so
   * a day's signups never depend on how far the world is generated.
   */
  scaleDays: 731,
  /**
   * Daily signups grow by this factor per year at first. A growing shop puts more users late in
   * any period, which is why cohorts must be compared by signup month (SPEC: retention by cohort)
   * and not pooled.
   */
  annualGrowth: 1.8,
  /**
   * ...and growth slows as the shop matures: the log of the growth is
   * `ln(annualGrowth) * fadeYears * (1 - exp(-years / fadeYears))`, so the rate rises 1.65x in the
   * first year, 2.4x by the end of the second and levels off near 5.8x: an open-ended world must
   * not grow exponentially for ever.
   */
  growthFadeYears: 3,
  /** Monday..Sunday weights: weekends bring slightly more signups, as consumer shops see. */
  weekdayWeights: [0.95, 0.95, 0.97, 0.98, 1.0, 1.08, 1.07],
  /** January..December weights: new-year resolutions and the gift season bring more signups. */
  monthWeights: [1.08, 0.97, 0.98, 0.98, 0.96, 0.93, 0.93, 0.95, 1.0, 1.0, 1.1, 1.12],
  /** Day-to-day noise (sd of a log-normal factor), so the daily new-user series is not a curve. */
  dailyNoiseSd: 0.12,
  /** Promotions bring more signups on their days (marketing spend); 1.4 = +40 %. */
  promoSignupLift: 1.4,
} as const;

// ------------------------------------------------------------------------------------------------
// Users
// ------------------------------------------------------------------------------------------------

/**
 * Shares of the four latent types. D (barely engaged) is the largest group, as in most shops;
 * A (fast, promo-driven) and C (browsers) are common; B (steady, most valuable) is the smallest.
 */
export const TYPE_SHARES: Readonly<Record<UserType, number>> = { A: 0.26, B: 0.2, C: 0.24, D: 0.3 };

/** Signup device mix; about 4 in 5 users on mobile apps. */
export const DEVICE_SHARES = { iOS: 0.42, Android: 0.38, Web: 0.2 } as const;

/** Probability that a session uses another device than the signup one (snapshot per session). */
export const DEVICE_SWITCH_PROBABILITY = 0.12;

/** Regions are not behaviourally different: uneven shares only so region charts are not flat. */
export const REGION_SHARES = { North: 0.18, South: 0.22, East: 0.2, West: 0.24, Central: 0.16 };

/**
 * Acquisition channel by type: paid campaigns bring deal-seekers (A), referrals bring steady
 * buyers (B), organic search brings browsers (C) and drive-bys (D). This plants the acquisition-
 * quality analysis: Referral has the highest share of high-value users, Paid the fastest
 * conversion.
 */
export const SOURCE_SHARES_BY_TYPE: Readonly<
  Record<UserType, { Organic: number; Paid: number; Referral: number }>
> = {
  A: { Organic: 0.25, Paid: 0.6, Referral: 0.15 },
  B: { Organic: 0.35, Paid: 0.2, Referral: 0.45 },
  C: { Organic: 0.55, Paid: 0.3, Referral: 0.15 },
  D: { Organic: 0.5, Paid: 0.4, Referral: 0.1 },
};

// ------------------------------------------------------------------------------------------------
// Behaviour by type
// ------------------------------------------------------------------------------------------------

/** How one latent type behaves. All rates are per session unless stated. */
export interface TypeBehaviour {
  /**
   * Median number of days the user stays active (log-normal with `lifetimeSigma`). Sessions are
   * spread over the whole lifetime, whatever the world's end; those after it are dropped, so a
   * user never behaves as if it knew when the data stops.
   */
  lifetimeMedianDays: number;
  lifetimeSigma: number;
  /** Sessions per 30 days of lifetime, averaged over the lifetime (before fading). */
  sessionsPer30Days: number;
  /**
   * Fading exponent: a visit whose cumulative-gap share is x sits at `span * x^fade`. 1 = a steady
   * rate; 2 = most visits early, thinning out (density ~ 1/sqrt(t)).
   */
  fade: number;
  /** Rhythm regularity r in [0,1] is normal(mean, sd), clamped: 1 = clockwork, 0 = bursts. */
  regularityMean: number;
  regularitySd: number;
  /** Base probability that a session ends in a purchase (user at r = 0.5, no promo, no boost). */
  purchaseProbability: number;
  /** Early-life multiplier on purchase probability at day 0, decaying with `earlyDecayDays`. */
  earlyBoost: number;
  earlyDecayDays: number;
  /** Multiplier on purchase probability in a High-uplift promotion (scaled down for Medium/Low). */
  promoLift: number;
  /**
   * Probability that a session which does not buy opens at least one product page. The others
   * leave from the home, search, account or order-tracking pages: a visit with no product seen
   * and so no funnel event (a buying session always views).
   */
  productViewProbability: number;
  /**
   * Mean number of product pages a viewing session opens: inverse Gaussian around this mean
   * (`BROWSING`), so most sessions look at one to four products and a few at dozens.
   */
  meanProductViews: number;
  /**
   * Browsing depth of viewing sessions that do not buy: P(click | view), P(cart | click),
   * P(checkout | cart). A click is an engagement with the product page (pictures, sizes,
   * reviews), the step before putting it in the cart.
   */
  clickProbability: number;
  cartProbability: number;
  checkoutProbability: number;
  /** Mean number of extra lines per order (geometric), beyond the first. */
  extraLinesMean: number;
  /** Probability that a line has quantity > 1 (then 2 + geometric with mean 0.5). */
  multiUnitProbability: number;
  /**
   * Probability that an order is a "haul" with a heavy-tailed (Pareto) number of lines: the long
   * tail of spend that C carries.
   */
  haulProbability: number;
}

/**
 * The four types differ in structure, not only in amount (SPEC):
 * - A converts fast (strong early boost, strong promo response) and fades (fade 2, short life);
 * - B converts slower but returns on a steady rhythm for a long time and buys bigger baskets,
 *   so it is worth the most over 180 days;
 * - C browses a lot (most sessions, deep browsing) and rarely buys, with occasional huge hauls;
 * - D barely engages: few, shallow sessions and a short life.
 */
export const TYPE_BEHAVIOUR: Readonly<Record<UserType, TypeBehaviour>> = {
  A: {
    // Short lives: A is gone within a few months (low 90-day retention).
    lifetimeMedianDays: 70,
    lifetimeSigma: 0.7,
    // Busy while it lasts, so its first weeks hold many chances to buy.
    sessionsPer30Days: 5.5,
    // Visits thin out: the fading that makes A's value front-loaded.
    fade: 2,
    // Bursty: visits come in clusters around deals.
    regularityMean: 0.3,
    regularitySd: 0.18,
    // Below B at baseline: without the early boost A is no better a buyer.
    purchaseProbability: 0.016,
    // Converts fast: x6 propensity at signup, mostly gone after two weeks.
    earlyBoost: 6,
    earlyDecayDays: 8,
    // Deal-driven: the strongest promo response of the four types.
    promoLift: 3,
    // Lands on a deal and looks at little else: few products, quick to the cart.
    productViewProbability: 0.5,
    meanProductViews: 3,
    clickProbability: 0.35,
    cartProbability: 0.32,
    checkoutProbability: 0.45,
    // Small baskets: one deal item, rarely more.
    extraLinesMean: 0.45,
    multiUnitProbability: 0.12,
    haulProbability: 0,
  },
  B: {
    // Long lives: B is still visiting at day 90 and day 180.
    lifetimeMedianDays: 400,
    lifetimeSigma: 0.9,
    // About weekly: fewer visits than C, far more than A after its first weeks.
    sessionsPer30Days: 4,
    // A steady rate for its whole life.
    fade: 1,
    // Regular: the steady rhythm that carries long-term value.
    regularityMean: 0.75,
    regularitySd: 0.18,
    // The best repeat buyer: slow to convert but buys again and again.
    purchaseProbability: 0.027,
    // Little early rush: converts slower than A.
    earlyBoost: 1.2,
    earlyDecayDays: 20,
    // Buys anyway; promotions change little.
    promoLift: 1.4,
    // Comes to shop: views products most often, and a cart usually ends in an order.
    productViewProbability: 0.55,
    meanProductViews: 3.8,
    clickProbability: 0.3,
    cartProbability: 0.25,
    checkoutProbability: 0.5,
    // Bigger baskets, more multi-unit lines: the highest order value.
    extraLinesMean: 0.75,
    multiUnitProbability: 0.25,
    haulProbability: 0,
  },
  C: {
    // Long lives: C keeps coming back to browse.
    lifetimeMedianDays: 420,
    lifetimeSigma: 0.7,
    // The most sessions of any type.
    sessionsPer30Days: 6.3,
    fade: 1.2,
    // Middling rhythm.
    regularityMean: 0.45,
    regularitySd: 0.2,
    // Browses a lot, buys rarely: the lowest purchase rate per visit with D.
    purchaseProbability: 0.005,
    earlyBoost: 1,
    earlyDecayDays: 10,
    promoLift: 1.8,
    // Deep browsing: the most products per visit; carts are abandoned more than anyone's.
    productViewProbability: 0.45,
    meanProductViews: 5.5,
    clickProbability: 0.3,
    cartProbability: 0.16,
    checkoutProbability: 0.3,
    extraLinesMean: 0.4,
    multiUnitProbability: 0.15,
    // Rare huge orders: the heavy tail of C's spend.
    haulProbability: 0.08,
  },
  D: {
    // Barely engages: a few weeks, a few visits.
    lifetimeMedianDays: 25,
    lifetimeSigma: 0.8,
    // Lowest visit rate.
    sessionsPer30Days: 2.5,
    fade: 1.5,
    regularityMean: 0.35,
    regularitySd: 0.2,
    // Lowest purchase propensity.
    purchaseProbability: 0.004,
    earlyBoost: 1.2,
    earlyDecayDays: 7,
    promoLift: 1.5,
    // Shallow sessions: most leave without a product, or after the first one.
    productViewProbability: 0.3,
    meanProductViews: 2,
    clickProbability: 0.2,
    cartProbability: 0.2,
    checkoutProbability: 0.3,
    extraLinesMean: 0.3,
    multiUnitProbability: 0.08,
    haulProbability: 0,
  },
};

/**
 * Rhythm carries long-term value within every type, not only between types: a user's regularity
 * r (see `TypeBehaviour.regularityMean`) stretches their lifetime and raises their purchase
 * probability. Both are centred at r = 0.5 so the type parameters describe a mid-rhythm user.
 */
export const RHYTHM = {
  /** Lifetime multiplier exp(lifetimeElasticity * (r - 0.5)): r=0.9 lives 5x as long as r=0.1. */
  lifetimeElasticity: 2,
  /** Purchase multiplier exp(purchaseElasticity * (r - 0.5)): r=0.9 buys 3.3x as often as r=0.1. */
  purchaseElasticity: 1.5,
  /**
   * Gaps between visits are log-normal with mean 1 (then scaled to the user's lifetime), with
   * sigma running from `gapSigmaBursty` at r = 0 to `gapSigmaRegular` at r = 1. Sigma 0.25 gives a
   * gap CV of about 0.25 (a weekly shopper who drifts by a day or two); sigma 1.5 gives a CV near
   * 3: clusters of visits separated by long silences. The CV does not depend on how many visits a
   * user makes, so "early gap CV" measures rhythm and not activity.
   */
  gapSigmaRegular: 0.25,
  gapSigmaBursty: 1.5,
  /** Spread of the session count around its expectation (sd of a log-normal factor). */
  sessionCountSigma: 0.35,
} as const;

/** Purchase probability per session never exceeds this, whatever the multipliers. */
export const MAX_PURCHASE_PROBABILITY = 0.6;

// ------------------------------------------------------------------------------------------------
// Promotions
// ------------------------------------------------------------------------------------------------

/** One recurring promotion of the yearly calendar. */
export interface PromoEvent {
  /** Two-digit key of the event within its year, part of the promotion id (`PR2024-03`). */
  key: number;
  name: string;
  /** The earliest start: a fixed month and day, or Black Friday (the day after the fourth Thursday of November). */
  anchor: { month: number; day: number } | "blackFriday";
  /** The start is drawn uniformly within this many days after the anchor. */
  jitterDays: number;
  upliftLevel: "Low" | "Medium" | "High";
}

export const PROMOS = {
  /**
   * A calendar that repeats every year, so promotions do not depend on how far the world is
   * generated (they used to take equal slots of a fixed horizon). Three a year, one per uplift
   * level, in the seasons shops run them: the reference two years hold six (SPEC's reference has
   * five), never overlapping.
   */
  events: [
    {
      key: 1,
      name: "Spring Sale",
      anchor: { month: 3, day: 10 },
      jitterDays: 21,
      upliftLevel: "Medium",
    },
    {
      key: 2,
      name: "Summer Sale",
      anchor: { month: 6, day: 25 },
      jitterDays: 21,
      upliftLevel: "Low",
    },
    { key: 3, name: "Black Friday", anchor: "blackFriday", jitterDays: 0, upliftLevel: "High" },
  ] satisfies readonly PromoEvent[],
  /** Promotion lengths are uniform in this range (days, inclusive). */
  minDays: 5,
  maxDays: 10,
  /** Discount by uplift level: a stronger promotion is a deeper discount. */
  discountByUplift: { Low: 0.1, Medium: 0.15, High: 0.25 },
  /** Share of the type's promo lift that a Low/Medium/High promotion delivers. */
  liftShareByUplift: { Low: 0.4, Medium: 0.7, High: 1 },
  /**
   * A promotion works most on new users: in their first `newUserDays` days its lift is raised by
   * `newUserExtraLift` (SPEC: promotions lift short-term conversion, most for new users).
   */
  newUserDays: 14,
  newUserExtraLift: 1.8,
} as const;

// ------------------------------------------------------------------------------------------------
// Sessions and funnel timing
// ------------------------------------------------------------------------------------------------

/**
 * Weights of the hour of day (UTC) at which sessions start: low at night, peaks at lunch and in
 * the evening. Bots ignore it (uniform), which is one way QA can spot them.
 */
export const HOUR_WEIGHTS = [
  0.4, 0.25, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.0, 1.05, 1.15, 1.3, 1.2, 1.05, 1.0, 1.05, 1.15,
  1.35, 1.6, 1.75, 1.6, 1.2, 0.75,
];

/**
 * Seconds between consecutive funnel steps: uniform in [min, max]. Every step is strictly later
 * than the one before, so the funnel is ordered by time as well as by step.
 */
export const STEP_DELAY_SECONDS = {
  click: { min: 4, max: 120 },
  add_to_cart: { min: 10, max: 300 },
  checkout: { min: 15, max: 420 },
  purchase: { min: 20, max: 240 },
} as const;

/**
 * Product browsing inside a session: how many product pages a viewing session opens, how long
 * each holds the shopper, and which products they are.
 */
export const BROWSING = {
  /**
   * The number of product pages is inverse Gaussian around the type's `meanProductViews`, with
   * this coefficient of variation, rounded to a whole page (at least one): the "law of surfing"
   * (Huberman, Pirolli, Pitkow and Lukose, Science 280:95, 1998), which found the number of pages
   * a user visits within a site to follow this distribution, and derived it from a shopper who
   * moves on to another page as long as the value of the current one stays above a threshold. It
   * gives a mode at one or two pages and a long right tail of comparison shoppers.
   */
  productViewsCv: 1,
  /** A cap on product pages per session, so one draw from the tail cannot flood the events. */
  maxProductViews: 60,
  /**
   * Seconds between consecutive product pages: a session's pace is uniform in [min, max], and
   * each page after the first comes that pace later, plus up to half a pace more (so pages are
   * strictly ordered in time and not evenly spaced). The click follows the last product viewed.
   */
  viewPaceSeconds: { min: 20, max: 90 },
  /**
   * The session's chosen product (the one it clicks, carts and buys) is its last product page;
   * the pages before it are comparisons in the same category, drawn by popularity within the
   * category from this many buckets per category (one uniform and a list lookup, no join).
   */
  categoryBuckets: 256,
} as const;

/**
 * Published ranges the funnel is tuned to fall inside, over sessions of users without the anomaly
 * flag (sources in `docs/generation-rules.md`). `npm start` prints the shop's rates beside them,
 * and a generator test holds the shop to them.
 */
export const FUNNEL_TARGETS = {
  /** Sessions with an add to cart over sessions that viewed a product. */
  addToCartOfViewingSessions: { min: 0.08, max: 0.15 },
  /** Sessions with a purchase over sessions with an add to cart (about 70 % of carts abandoned). */
  purchaseOfCartSessions: { min: 0.3, max: 0.55 },
  /** Sessions with a purchase over all sessions. */
  sessionConversion: { min: 0.01, max: 0.04 },
} as const;

// ------------------------------------------------------------------------------------------------
// Orders
// ------------------------------------------------------------------------------------------------

export const ORDERS = {
  /** Haul orders have 3 + floor(Pareto(haulTailIndex)) lines, capped: the heavy tail of C's spend. */
  haulTailIndex: 1.3,
  haulMaxLines: 25,
  /** Cap on ordinary extra lines, so a geometric draw cannot produce an absurd basket. */
  maxExtraLines: 8,
  /** Cap on units of one line. */
  maxQuantity: 6,
} as const;

// ------------------------------------------------------------------------------------------------
// Anomalies (QA)
// ------------------------------------------------------------------------------------------------

export const ANOMALIES = {
  /** Share of users that are anomalies (SPEC: a small share, bot-like or test accounts). */
  share: 0.015,
  /** Of those, this share are bots; the rest are internal test accounts. */
  botShare: 0.7,
  /** Bots: very many shallow sessions over a few weeks, at any hour, never buying. */
  botSessionsMin: 80,
  botSessionsMax: 300,
  botActiveDaysMin: 10,
  botActiveDaysMax: 45,
  botClickProbability: 0.95,
  /** Test accounts: a handful of sessions in their first days, every one a purchase of 1 unit. */
  testSessionsMin: 2,
  testSessionsMax: 6,
  testActiveDays: 3,
} as const;

// ------------------------------------------------------------------------------------------------
// Subscriptions (an outcome, computed after orders)
// ------------------------------------------------------------------------------------------------

export const SUBSCRIPTIONS = {
  /** Monthly fees by plan; Free costs nothing. */
  fees: { Free: 0, Plus: 4.99, Premium: 9.99 },
  /**
   * Probability of holding a paid plan by number of orders so far (0, 1, 2, 3, 4, 5+), and the
   * share of paid plans that are Premium at 5+ orders. Realised engagement drives the plan;
   * nothing in the behaviour model reads it back.
   */
  paidProbabilityByOrders: [0.01, 0.06, 0.15, 0.25, 0.35, 0.45],
  premiumShareOfPaidByOrders: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5],
  /** A paid plan starts this many days (uniform, up to) after the first order. */
  startLagMaxDays: 30,
  /** Without a session for this many days, a paid plan has ended... */
  inactiveDays: 60,
  /** ...as Cancelled with this probability (else Expired), this many days (up to) after the last visit. */
  cancelledShare: 0.65,
  endLagMaxDays: 30,
} as const;

// ------------------------------------------------------------------------------------------------
// Catalogue
// ------------------------------------------------------------------------------------------------

/** One merchandising category of the catalogue. */
export interface CategoryParams {
  name: string;
  /** Share of the 300 products in this category. */
  productShare: number;
  /** Share of demand (sessions and order lines) at season weight 1. */
  demandShare: number;
  /** Median list price and log-normal spread: electronics are dear and spread, groceries cheap. */
  priceMedian: number;
  priceSigma: number;
  /** Demand multiplier by month (Jan..Dec): the seasonality the category mart must recover. */
  season: readonly number[];
}

export const CATALOG = {
  /** SPEC's reference catalogue size. */
  products: 300,
  /** Share of products flagged as new arrivals. */
  newArrivalShare: 0.1,
  /** New arrivals draw extra attention while they are new. */
  newArrivalPopularity: 1.5,
  /** Popularity within a category follows a Zipf law with this exponent (a few best sellers). */
  popularityZipf: 0.9,
  /** Ratings: normal(mean, sd), clamped to [1, 5], one decimal; new arrivals have few reviews (wider). */
  ratingMean: 4.1,
  ratingSd: 0.4,
  newArrivalRatingSd: 0.7,
  categories: [
    {
      name: "Electronics",
      productShare: 0.12,
      demandShare: 0.12,
      priceMedian: 120,
      priceSigma: 0.7,
      season: [0.8, 0.7, 0.8, 0.8, 0.85, 0.9, 0.9, 0.95, 1.0, 1.1, 1.6, 1.9],
    },
    {
      name: "Home & Kitchen",
      productShare: 0.13,
      demandShare: 0.13,
      priceMedian: 45,
      priceSigma: 0.6,
      season: [1.1, 0.9, 1.0, 1.05, 1.0, 0.95, 0.9, 0.95, 1.0, 1.05, 1.2, 1.3],
    },
    {
      name: "Fashion",
      productShare: 0.15,
      demandShare: 0.16,
      priceMedian: 40,
      priceSigma: 0.5,
      season: [0.9, 0.8, 1.2, 1.3, 1.2, 1.0, 0.85, 0.9, 1.25, 1.2, 1.1, 1.0],
    },
    {
      name: "Beauty",
      productShare: 0.1,
      demandShare: 0.11,
      priceMedian: 25,
      priceSigma: 0.5,
      season: [0.9, 1.2, 1.0, 1.0, 1.1, 1.0, 0.95, 0.95, 1.0, 1.0, 1.1, 1.3],
    },
    {
      name: "Sports & Outdoors",
      productShare: 0.1,
      demandShare: 0.09,
      priceMedian: 55,
      priceSigma: 0.6,
      season: [1.1, 0.8, 0.95, 1.15, 1.35, 1.5, 1.5, 1.3, 1.0, 0.8, 0.75, 0.8],
    },
    {
      name: "Toys & Games",
      productShare: 0.08,
      demandShare: 0.07,
      priceMedian: 30,
      priceSigma: 0.5,
      season: [0.6, 0.6, 0.7, 0.75, 0.8, 0.8, 0.85, 0.9, 0.9, 1.1, 1.9, 2.6],
    },
    {
      name: "Books",
      productShare: 0.1,
      demandShare: 0.08,
      priceMedian: 15,
      priceSigma: 0.35,
      season: [1.1, 1.0, 0.95, 0.95, 0.95, 1.05, 1.15, 1.15, 1.05, 0.95, 1.0, 1.2],
    },
    {
      name: "Grocery",
      productShare: 0.08,
      demandShare: 0.1,
      priceMedian: 12,
      priceSigma: 0.4,
      season: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.05, 1.15],
    },
    {
      name: "Garden",
      productShare: 0.07,
      demandShare: 0.07,
      priceMedian: 35,
      priceSigma: 0.6,
      season: [0.4, 0.55, 1.2, 1.8, 1.9, 1.5, 1.1, 0.9, 0.8, 0.6, 0.4, 0.4],
    },
    {
      name: "Pet Supplies",
      productShare: 0.07,
      demandShare: 0.07,
      priceMedian: 28,
      priceSigma: 0.5,
      season: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.1],
    },
  ] satisfies readonly CategoryParams[],
} as const;
