import type { MartParameters } from "../martParameters";
import type { BehaviorTruth } from "./behaviorConsistency";
import { groupBy, mean, percentile, ratio, shareTrue } from "./stats";
import type { UserSummaryTruth } from "./userPurchaseSummary";

/**
 * The per-segment marts (trade-off, promotion effect, acquisition quality) recomputed from the
 * user-level truths. Every rate is over the users whose window is observed: conversion over
 * users observed 14 / 30 days, retention and LTV over users whose value is defined.
 */

/** Share of users observed `days` days who converted (the flag given), null when none observed. */
function conversion(
  users: readonly UserSummaryTruth[],
  days: number,
  converted: (u: UserSummaryTruth) => boolean,
): number | null {
  const observed = users.filter((u) => u.days_observed >= days);
  return ratio(observed.filter(converted).length, observed.length);
}

const ltvs = (users: readonly UserSummaryTruth[]) => users.map((u) => u.ltv_180d);
const promoLabel = (u: UserSummaryTruth) => (u.is_promo_signup ? "Promo" : "No promo");

export interface TradeoffTruth {
  segment_type: string;
  segment: string;
  users: number;
  users_observed_14d: number;
  conversion_14d: number | null;
  conversion_30d: number | null;
  retention_90d: number | null;
  retention_180d: number | null;
  users_ltv_observed: number;
  ltv_180d_mean: number | null;
  ltv_180d_median: number | null;
  ltv_180d_p90: number | null;
  paid_subscription_share: number | null;
}

export function tradeoffSummaryTruth(
  users: readonly UserSummaryTruth[],
  behavior: readonly BehaviorTruth[],
  P: MartParameters,
): TradeoffTruth[] {
  const tier = new Map(behavior.map((b) => [b.user_id, b.consistency_tier]));
  const segmentations: [string, (u: UserSummaryTruth) => string | null][] = [
    ["user_type", (u) => u.user_type],
    ["consistency_tier", (u) => tier.get(u.user_id) ?? null],
    ["marketing_source", (u) => u.marketing_source],
    ["signup_promo", promoLabel],
  ];
  const rows: TradeoffTruth[] = [];
  for (const [segmentType, segmentOf] of segmentations) {
    const bySegment = groupBy(
      users.filter((u) => segmentOf(u) !== null),
      (u) => segmentOf(u)!,
    );
    for (const [segment, members] of bySegment) {
      rows.push({
        segment_type: segmentType,
        segment,
        users: members.length,
        users_observed_14d: members.filter((u) => u.days_observed >= P.conversion_days_short)
          .length,
        conversion_14d: conversion(members, P.conversion_days_short, (u) => u.is_converted_14d),
        conversion_30d: conversion(members, P.conversion_days_long, (u) => u.is_converted_30d),
        retention_90d: shareTrue(members.map((u) => u.is_retained_90d)),
        retention_180d: shareTrue(members.map((u) => u.is_retained_180d)),
        users_ltv_observed: members.filter((u) => u.ltv_180d !== null).length,
        ltv_180d_mean: mean(ltvs(members)),
        ltv_180d_median: percentile(ltvs(members), 0.5),
        ltv_180d_p90: percentile(ltvs(members), 0.9),
        paid_subscription_share: mean(members.map((u) => (u.is_paid_subscriber ? 1 : 0))),
      });
    }
  }
  return rows;
}

export interface PromoEffectTruth {
  signup_promo: string;
  user_type: string;
  users: number;
  conversion_14d: number | null;
  conversion_30d: number | null;
  mean_days_to_convert_30d: number | null;
  restricted_mean_days_to_purchase_30d: number | null;
  mean_signup_discount_rate: number | null;
  mean_first_order_discount_rate: number | null;
  first_order_promo_share: number | null;
  retention_90d: number | null;
  retention_180d: number | null;
  users_ltv_observed: number;
  ltv_180d_mean: number | null;
  ltv_180d_median: number | null;
}

/**
 * Promo signups against the others, per user type and for all. Time to convert is read inside
 * the 30-day window among users observed that long: the mean day of the first purchase of those
 * who bought on days 0..29, and the restricted mean, where the others count the whole window.
 */
export function promoEffectTruth(
  users: readonly UserSummaryTruth[],
  P: MartParameters,
): PromoEffectTruth[] {
  const window = P.conversion_days_long;
  const groups = new Map<string, UserSummaryTruth[]>();
  for (const u of users) {
    for (const userType of [u.user_type, "All"]) {
      const key = JSON.stringify([promoLabel(u), userType]);
      groups.set(key, [...(groups.get(key) ?? []), u]);
    }
  }
  return [...groups].map(([key, members]) => {
    const [signupPromo, userType] = JSON.parse(key) as [string, string];
    const observedLong = members.filter((u) => u.days_observed >= window);
    const firstPurchaseDay = (u: UserSummaryTruth) =>
      u.days_to_first_purchase !== null && u.days_to_first_purchase < window
        ? u.days_to_first_purchase
        : null;
    return {
      signup_promo: signupPromo,
      user_type: userType,
      users: members.length,
      conversion_14d: conversion(members, P.conversion_days_short, (u) => u.is_converted_14d),
      conversion_30d: conversion(members, window, (u) => u.is_converted_30d),
      mean_days_to_convert_30d: mean(observedLong.map(firstPurchaseDay)),
      restricted_mean_days_to_purchase_30d: mean(
        observedLong.map((u) => firstPurchaseDay(u) ?? window),
      ),
      mean_signup_discount_rate: mean(members.map((u) => u.signup_promo_discount_rate)),
      mean_first_order_discount_rate: mean(members.map((u) => u.first_order_discount_rate)),
      first_order_promo_share: shareTrue(members.map((u) => u.first_order_is_promo)),
      retention_90d: shareTrue(members.map((u) => u.is_retained_90d)),
      retention_180d: shareTrue(members.map((u) => u.is_retained_180d)),
      users_ltv_observed: members.filter((u) => u.ltv_180d !== null).length,
      ltv_180d_mean: mean(ltvs(members)),
      ltv_180d_median: percentile(ltvs(members), 0.5),
    };
  });
}

export interface AcquisitionTruth {
  dimension: string;
  dimension_value: string;
  users: number;
  buyers: number;
  buyer_share: number | null;
  vip_users: number;
  vip_share: number | null;
  vip_share_of_buyers: number | null;
  conversion_14d: number | null;
  users_ltv_observed: number;
  ltv_180d_mean: number | null;
  ltv_180d_median: number | null;
}

/**
 * By marketing source (every user) and by gateway category (users whose first order has a
 * line). VIP = in the VIP Champions segment of the run day's RFM snapshot. Conversion is not
 * given for gateway categories: all their users bought.
 */
export function acquisitionQualityTruth(
  users: readonly UserSummaryTruth[],
  vipUsers: ReadonlySet<string>,
  P: MartParameters,
): AcquisitionTruth[] {
  const rows: AcquisitionTruth[] = [];
  const dimensions: [string, (u: UserSummaryTruth) => string | null][] = [
    ["marketing_source", (u) => u.marketing_source],
    ["first_purchase_category", (u) => u.first_purchase_category],
  ];
  for (const [dimension, valueOf] of dimensions) {
    const groups = groupBy(
      users.filter((u) => valueOf(u) !== null),
      (u) => valueOf(u)!,
    );
    for (const [value, members] of groups) {
      const buyers = members.filter((u) => u.orders > 0).length;
      const vips = members.filter((u) => vipUsers.has(u.user_id)).length;
      rows.push({
        dimension,
        dimension_value: value,
        users: members.length,
        buyers,
        buyer_share: ratio(buyers, members.length),
        vip_users: vips,
        vip_share: ratio(vips, members.length),
        vip_share_of_buyers: ratio(vips, buyers),
        conversion_14d:
          dimension === "marketing_source"
            ? conversion(members, P.conversion_days_short, (u) => u.is_converted_14d)
            : null,
        users_ltv_observed: members.filter((u) => u.ltv_180d !== null).length,
        ltv_180d_mean: mean(ltvs(members)),
        ltv_180d_median: percentile(ltvs(members), 0.5),
      });
    }
  }
  return rows;
}
