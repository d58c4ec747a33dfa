import { USER_TYPES } from "../contract";
import { comparisonLists, MAX_SESSION_SECONDS } from "./browsing";
import { DEFAULT_GENERATE_OPTIONS } from "./index";
import { resolveOptions } from "./options";
import { BROWSING, CATALOG, FUNNEL_TARGETS, TYPE_BEHAVIOUR } from "./params";
import { closeDuckDb, type Db, generatedWorld, queryRows } from "./testSupport";
import { buildWorld } from "./world";

/** The standard normal CDF (Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The inverse Gaussian CDF with mean `mu` and shape `lambda`. */
function inverseGaussianCdf(x: number, mu: number, lambda: number): number {
  const r = Math.sqrt(lambda / x);
  return normalCdf(r * (x / mu - 1)) + Math.exp((2 * lambda) / mu) * normalCdf(-r * (x / mu + 1));
}

describe("comparison pages", () => {
  const world = buildWorld(resolveOptions(DEFAULT_GENERATE_OPTIONS));
  const { categoryOf, buckets } = comparisonLists(world);
  const B = BROWSING.categoryBuckets;

  it("give every category its own buckets, holding only its products", () => {
    expect(buckets).toHaveLength(CATALOG.categories.length * B);
    CATALOG.categories.forEach((category, c) => {
      const own = buckets.slice(c * B, (c + 1) * B);
      expect(own.every((p) => world.products[p]!.category === category.name)).toBe(true);
    });
    expect(categoryOf.map((c) => CATALOG.categories[c]!.name)).toEqual(
      world.products.map((p) => p.category),
    );
  });

  it("give a category's best seller more buckets than its least popular product", () => {
    const first = world.products.filter((p) => p.category === CATALOG.categories[0]!.name);
    const best = first.reduce((a, b) => (b.popularity > a.popularity ? b : a));
    const least = first.reduce((a, b) => (b.popularity < a.popularity ? b : a));
    const count = (index: number) => buckets.filter((p) => p === index).length;
    expect(count(best.index)).toBeGreaterThan(3 * count(least.index));
  });
});

it("keeps a whole session, its product pages and its steps, within a day of its start", () => {
  expect(MAX_SESSION_SECONDS).toBeLessThan(86_400);
});

describe("browsing and the funnel at seed 42 (6,000 users)", () => {
  let db: Db;

  beforeAll(async () => {
    ({ db } = await generatedWorld({ users: 6_000, seed: 42 }));
    // One row per session of a user without the anomaly flag, with its product pages and steps.
    await db.connection.run(`create temp table session_funnel as
      select
          s.session_id,
          u.user_type,
          count(e.event_id) filter (where e.event_type = 'view') as views,
          coalesce(bool_or(e.event_type = 'add_to_cart'), false) as has_cart,
          coalesce(bool_or(e.event_type = 'purchase'), false) as has_purchase
      from gen.sessions s
      join gen.users u using (user_id)
      left join gen.events e using (session_id)
      where not u.anomaly_flag
      group by all`);
  });
  afterAll(() => closeDuckDb(db));

  it("has the funnel rates inside the published ranges", async () => {
    const [rates] = await queryRows<{
      add_to_cart_of_viewing: number;
      purchase_of_carts: number;
      session_conversion: number;
    }>(
      db.connection,
      `select
           count_if(has_cart) / count_if(views > 0) as add_to_cart_of_viewing,
           count_if(has_purchase) / count_if(has_cart) as purchase_of_carts,
           count_if(has_purchase) / count(*) as session_conversion
       from session_funnel`,
    );
    const inside = (value: number, range: { min: number; max: number }) =>
      value >= range.min && value <= range.max;
    expect({
      addToCart: inside(rates!.add_to_cart_of_viewing, FUNNEL_TARGETS.addToCartOfViewingSessions),
      purchase: inside(rates!.purchase_of_carts, FUNNEL_TARGETS.purchaseOfCartSessions),
      conversion: inside(rates!.session_conversion, FUNNEL_TARGETS.sessionConversion),
      rates,
    }).toEqual({ addToCart: true, purchase: true, conversion: true, rates });
  });

  it("has viewing sessions look at several products, with a long tail", async () => {
    const [views] = await queryRows<{ mean: number; median: number; p99: number; one: number }>(
      db.connection,
      `select avg(views) as mean, median(views) as median, quantile_disc(views, 0.99) as p99,
           avg((views = 1)::integer) as one
       from session_funnel where views > 0`,
    );
    expect(views!.mean).toBeGreaterThan(3);
    expect(views!.median).toBeGreaterThanOrEqual(2);
    expect(views!.one).toBeLessThan(0.3);
    expect(Number(views!.p99)).toBeGreaterThanOrEqual(15);
  });

  it("draws each type's product pages from the inverse Gaussian around its mean", async () => {
    const rows = await queryRows<{ user_type: string; views: number; sessions: number }>(
      db.connection,
      `select user_type, views, count(*) as sessions
       from session_funnel where views > 0 group by all order by all`,
    );
    const cv2 = BROWSING.productViewsCv ** 2;
    for (const type of USER_TYPES) {
      const mean = TYPE_BEHAVIOUR[type].meanProductViews;
      const ofType = rows.filter((r) => r.user_type === type);
      const total = ofType.reduce((n, r) => n + Number(r.sessions), 0);
      // P(pages <= k) is P(mean * ratio < k + 0.5): the draw is rounded to a whole page. The
      // tolerance is four standard errors of an empirical share at this sample size.
      const tolerance = 4 * Math.sqrt(0.25 / total);
      const gaps = [1, 2, 3, 5, 10].map((k) => {
        const observed =
          ofType.filter((r) => Number(r.views) <= k).reduce((n, r) => n + Number(r.sessions), 0) /
          total;
        return Math.abs(observed - inverseGaussianCdf(k + 0.5, mean, mean / cv2));
      });
      expect({ type, fits: Math.max(...gaps) < tolerance, gaps }).toEqual({
        type,
        fits: true,
        gaps,
      });
    }
  });

  it("has C open the most product pages and D the fewest, and D leave most often without one", async () => {
    const rows = await queryRows<{ user_type: string; views: number; leave: number }>(
      db.connection,
      `select user_type, avg(views) filter (where views > 0) as views,
           avg((views = 0)::integer) as leave
       from session_funnel group by 1`,
    );
    const of = (t: string) => rows.find((r) => r.user_type === t)!;
    for (const t of ["A", "B", "D"]) expect(of("C").views).toBeGreaterThan(of(t).views);
    for (const t of ["A", "B", "C"]) {
      expect(of("D").views).toBeLessThan(of(t).views);
      expect(of("D").leave).toBeGreaterThan(of(t).leave);
    }
    const [all] = await queryRows<{ leave: number }>(
      db.connection,
      "select avg((views = 0)::integer) as leave from session_funnel",
    );
    expect(all!.leave).toBeGreaterThan(0.3);
    expect(all!.leave).toBeLessThan(0.7);
  });

  it("shows comparison products from the category of the product the session goes on with", async () => {
    const [row] = await queryRows<{ views: number; other_category: number }>(
      db.connection,
      `select count(*) as views, count_if(viewed.category <> chosen.category) as other_category
       from gen.events e
       join gen.products viewed on viewed.product_id = e.product_id
       join gen.events click on click.session_id = e.session_id and click.event_type = 'click'
       join gen.products chosen on chosen.product_id = click.product_id
       where e.event_type = 'view'`,
    );
    expect(Number(row!.views)).toBeGreaterThan(10_000);
    expect(Number(row!.other_category)).toBe(0);
  });
});
