import type { MartParameters } from "../martParameters";
import type { BehaviorTruth } from "./behaviorConsistency";
import { mean, percentile, ratio, sum } from "./stats";
import type { UserSummaryTruth } from "./userPurchaseSummary";

export interface LtvDistributionTruth {
  population: string;
  user_type: string;
  consistency_tier: string;
  users: number;
  ltv_180d_mean: number | null;
  ltv_180d_p50: number | null;
  ltv_180d_p75: number | null;
  ltv_180d_p90: number | null;
  ltv_180d_p99: number | null;
  ltv_180d_total: number;
  top_1pct_revenue_share: number | null;
  top_10pct_revenue_share: number | null;
  top_20pct_revenue_share: number | null;
  gini: number | null;
}

export interface LtvLorenzTruth {
  population: string;
  user_type: string;
  consistency_tier: string;
  user_share_pct: number;
  users: number;
  lowest_users: number;
  revenue_share: number | null;
}

interface LtvGroup {
  readonly population: string;
  readonly user_type: string;
  readonly consistency_tier: string;
  /** The group's 180-day LTVs, ascending. */
  readonly values: number[];
}

/**
 * The users observed for 180 days in every group they belong to: population 'All users' and,
 * when they spent in the window, 'Buyers'; by user type and consistency tier, each also as 'All'.
 */
export function ltvGroups(
  users: readonly UserSummaryTruth[],
  behavior: readonly BehaviorTruth[],
): LtvGroup[] {
  const tier = new Map(behavior.map((b) => [b.user_id, b.consistency_tier]));
  const groups = new Map<string, LtvGroup>();
  for (const u of users) {
    if (u.ltv_180d === null) continue;
    const populations = u.is_buyer_180d ? ["All users", "Buyers"] : ["All users"];
    const tierOf = tier.get(u.user_id) ?? "Unknown";
    for (const population of populations)
      for (const userType of [u.user_type, "All"])
        for (const consistencyTier of [tierOf, "All"]) {
          const key = JSON.stringify([population, userType, consistencyTier]);
          const group = groups.get(key) ?? {
            population,
            user_type: userType,
            consistency_tier: consistencyTier,
            values: [],
          };
          group.values.push(u.ltv_180d);
          groups.set(key, group);
        }
  }
  for (const g of groups.values()) g.values.sort((a, b) => a - b);
  return [...groups.values()];
}

/** The share of the total earned by the top `pct`% of the values: the top ceil(pct% of n). */
function topShare(ascending: readonly number[], pct: number): number | null {
  const top = Math.ceil((ascending.length * pct) / 100);
  return ratio(sum(ascending.slice(ascending.length - top)), sum(ascending));
}

/**
 * The Gini coefficient as the mean absolute difference over twice the mean: the sum over all
 * pairs of |x_i - x_j| / (2 n^2 mean). For ascending values the pair sum is
 * 2 * sum((2i - n - 1) x_i), i from 1.
 */
function gini(ascending: readonly number[]): number | null {
  const n = ascending.length;
  const total = sum(ascending);
  if (total === 0) return null;
  const pairDifferences = 2 * sum(ascending.map((x, i) => (2 * (i + 1) - n - 1) * x));
  return pairDifferences / (2 * n * total);
}

/** dm_ltv_distribution from the user-level truths. */
export function ltvDistributionTruth(groups: readonly LtvGroup[]): LtvDistributionTruth[] {
  return groups.map((g) => ({
    population: g.population,
    user_type: g.user_type,
    consistency_tier: g.consistency_tier,
    users: g.values.length,
    ltv_180d_mean: mean(g.values),
    ltv_180d_p50: percentile(g.values, 0.5),
    ltv_180d_p75: percentile(g.values, 0.75),
    ltv_180d_p90: percentile(g.values, 0.9),
    ltv_180d_p99: percentile(g.values, 0.99),
    ltv_180d_total: sum(g.values),
    top_1pct_revenue_share: topShare(g.values, 1),
    top_10pct_revenue_share: topShare(g.values, 10),
    top_20pct_revenue_share: topShare(g.values, 20),
    gini: gini(g.values),
  }));
}

/** dm_ltv_lorenz: for each step of user share, the share of revenue of the lowest users. */
export function ltvLorenzTruth(groups: readonly LtvGroup[], P: MartParameters): LtvLorenzTruth[] {
  const rows: LtvLorenzTruth[] = [];
  for (const g of groups) {
    const total = sum(g.values);
    for (let pct = 0; pct <= 100; pct += P.lorenz_step_pct) {
      const lowest = Math.floor((pct * g.values.length) / 100);
      rows.push({
        population: g.population,
        user_type: g.user_type,
        consistency_tier: g.consistency_tier,
        user_share_pct: pct,
        users: g.values.length,
        lowest_users: lowest,
        revenue_share: ratio(sum(g.values.slice(0, lowest)), total),
      });
    }
  }
  return rows;
}
