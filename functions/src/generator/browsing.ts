/**
 * Product browsing inside a session: whether it opens a product page at all, how many it opens,
 * at what pace, and which products they show. The session draws use it to place the click after
 * the last page, and the events view to expand one `view` per page; both compute it from the same
 * hashes of the session's keys, so nothing of it is stored and the draws keep their columns.
 *
 * Every expression reads columns of the session draws: `user_index`, `seq`, `type_index`,
 * `anomaly_kind`, `product_index`.
 */
import { CATALOG, BROWSING, STEP_DELAY_SECONDS } from "./params";
import { hashSql, SALT, uniformSql as u } from "./random";
import { byType, dbl, type World } from "./world";

/** The two hash columns of a session's browsing, named `h_browse` and `h_view_count`. */
export function browseHashColumnsSql(seed: number): string {
  return `${hashSql(seed, SALT.sessionBrowse, "user_index", "seq")} as h_browse,
        ${hashSql(seed, SALT.sessionViewCount, "user_index", "seq")} as h_view_count`;
}

/**
 * SQL (boolean) for a session that does not buy leaving without a product page, by the type's
 * `productViewProbability`. Bots and test accounts always open one.
 */
export function leavesWithoutProductSql(): string {
  return `(anomaly_kind = 0 and ${u("h_browse", 0)} >= ${byType("productViewProbability")})`;
}

/**
 * SQL for the number of product pages over the type's mean, an inverse Gaussian with mean 1 and
 * coefficient of variation `BROWSING.productViewsCv` (Michael, Schucany and Haas's method: one
 * normal and one uniform). With shape 1 / cv², the root of the method's quadratic is
 * `g = 1 / (1 + c + sqrt(c² + 2c))` for `c = z² cv² / 2`; the draw is `g` with probability
 * `1 / (1 + g)`, else `1 / g`. This form has no cancellation for large `z`.
 */
export function viewRatioSql(): string {
  const c = `(-ln(${u("h_view_count", 0)}) * pow(cos(2 * pi() * ${u("h_view_count", 1)}), 2) * ${dbl(BROWSING.productViewsCv ** 2)})`;
  const g = `(1 / (1 + ${c} + sqrt(${c} * (${c} + 2))))`;
  return `(case when ${u("h_browse", 2)} <= 1 / (1 + ${g}) then ${g} else 1 / ${g} end)`;
}

/**
 * SQL for the number of product pages a session opens (1..`maxProductViews`) from its
 * `viewRatio` column: the type's mean times the ratio, rounded. Bots and test accounts open one.
 */
export function productViewsSql(viewRatio: string): string {
  return `(case when anomaly_kind > 0 then 1
            else least(${BROWSING.maxProductViews},
                greatest(1, round(${byType("meanProductViews")} * ${viewRatio})))
        end)::integer`;
}

/** SQL for the session's browsing pace in whole seconds, uniform in `viewPaceSeconds`. */
export function viewPaceSql(): string {
  const { min, max } = BROWSING.viewPaceSeconds;
  return `(${min} + floor(${u("h_browse", 1)} * ${max - min + 1}))::integer`;
}

/** The hash of product page `page` (0-based) of a session. */
export function pageHashSql(seed: number, page: string): string {
  return hashSql(seed, SALT.productView, "user_index", "seq", `(${page})::bigint`);
}

/**
 * SQL for the seconds from the session start to product page `page` (0-based), given the
 * session's `pace` and the page's hash: the first page at the start, each later one a pace plus
 * up to half a pace after the one before, so pages are strictly ordered in time.
 */
export function viewOffsetSql(page: string, pace: string, pageHash: string): string {
  return `(case when ${page} = 0 then 0
            else ${page} * ${pace} + floor(${u(pageHash, 0)} * (${pace} // 2))::integer end)`;
}

/** The latest a session's last product page can come after its start, in seconds. */
export const MAX_VIEWING_SECONDS =
  (BROWSING.maxProductViews - 1) * BROWSING.viewPaceSeconds.max +
  Math.floor(BROWSING.viewPaceSeconds.max / 2);

/** The latest an event can come after its session's start, in seconds. */
export const MAX_SESSION_SECONDS =
  MAX_VIEWING_SECONDS + Object.values(STEP_DELAY_SECONDS).reduce((sum, d) => sum + d.max, 0);

/**
 * Per category, `categoryBuckets` product indices in proportion to popularity within the
 * category, and each product's category: the lists a comparison page is drawn from.
 */
export function comparisonLists(world: World): { categoryOf: number[]; buckets: number[] } {
  const B = BROWSING.categoryBuckets;
  const names = CATALOG.categories.map((c) => c.name);
  const categoryOf = world.products.map((p) => names.indexOf(p.category));
  const buckets: number[] = [];
  names.forEach((name) => {
    const members = world.products.filter((p) => p.category === name);
    const total = members.reduce((sum, p) => sum + p.popularity, 0);
    let cumulative = 0;
    const start = buckets.length;
    members.forEach((p, i) => {
      cumulative += p.popularity;
      const next = i === members.length - 1 ? B : Math.round((B * cumulative) / total);
      while (buckets.length - start < next) buckets.push(p.index);
    });
    // A category without products (not in the reference catalogue) keeps its slots valid.
    while (buckets.length - start < B) buckets.push(0);
  });
  return { categoryOf, buckets };
}

/**
 * SQL for the product of a comparison page: a product of the chosen product's category, by
 * popularity within it, from the page's hash.
 */
export function comparisonProductSql(world: World, pageHash: string): string {
  const { categoryOf, buckets } = comparisonLists(world);
  const B = BROWSING.categoryBuckets;
  return `([${buckets.join(", ")}])[([${categoryOf.join(", ")}])[product_index + 1] * ${B}
            + floor(${u(pageHash, 1)} * ${B})::integer + 1]`;
}
