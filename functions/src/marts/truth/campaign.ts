import type { MartParameters } from "../martParameters";
import type { ChurnRiskTruth } from "./churnRisk";
import { dayDate, type RawExposure, type TruthRaw } from "./rawRows";
import type { RfmDailyTruth, SegmentMapRow } from "./rfmSnapshot";
import { mean, ratio, roundCents, shareTrue, sum } from "./stats";

/**
 * The campaign marts from their definition (docs/marts.md), written from raw rows without the
 * SQL: a campaign's day is day 0; "within N days" is days 0..N-1, known once day N-1 is observed;
 * "active before" is a session in the N days before day 0.
 */

export interface CampaignUserTruth {
  campaign_id: string;
  campaign_date: string;
  user_id: string;
  user_type: string;
  experiment_group: string;
  is_treatment: boolean;
  purchase_count_tier: string;
  messaged_category: string;
  is_sent: boolean;
  is_opened: boolean;
  is_blocked: boolean;
  days_observed: number;
  is_reactivated_7d: boolean | null;
  is_reactivated_14d: boolean | null;
  is_reactivated_28d: boolean | null;
  is_reactivated_in_category_28d: boolean | null;
  is_reactivated_other_category_28d: boolean | null;
  revenue_28d: number | null;
  is_active_before_7d: boolean;
  is_active_before_14d: boolean;
  is_active_before_28d: boolean;
  is_active_after_7d: boolean | null;
  is_active_after_14d: boolean | null;
  is_active_after_28d: boolean | null;
}

/** dm_campaign_users: every exposure up to the run day of a user without the anomaly flag. */
export function campaignUsersTruth(
  raw: TruthRaw,
  runDay: number,
  P: MartParameters,
): CampaignUserTruth[] {
  const users = new Map(raw.users.filter((u) => !u.is_anomaly).map((u) => [u.user_id, u]));
  const category = new Map(raw.products.map((p) => [p.product_id, p.category]));
  const ordersOf = new Map<string, { order_id: string; day: number }[]>();
  for (const o of raw.orders) {
    if (o.order_day > runDay) continue;
    const list = ordersOf.get(o.user_id) ?? [];
    list.push({ order_id: o.order_id, day: o.order_day });
    ordersOf.set(o.user_id, list);
  }
  const linesOf = new Map<string, { category: string | undefined; amount: number }[]>();
  for (const l of raw.lines) {
    const list = linesOf.get(l.order_id) ?? [];
    list.push({ category: category.get(l.product_id), amount: l.line_amount });
    linesOf.set(l.order_id, list);
  }
  const sessionDaysOf = new Map<string, number[]>();
  for (const s of raw.sessions) {
    if (s.session_day > runDay) continue;
    const list = sessionDaysOf.get(s.user_id) ?? [];
    list.push(s.session_day);
    sessionDaysOf.set(s.user_id, list);
  }
  const windows = {
    short: P.campaign_window_days_short,
    mid: P.campaign_window_days_mid,
    long: P.campaign_window_days_long,
  };

  const row = (e: RawExposure): CampaignUserTruth | null => {
    const user = users.get(e.user_id);
    if (!user || e.campaign_day > runDay) return null;
    const c = e.campaign_day;
    const observed = runDay - c + 1;
    const known = <T>(days: number, value: T): T | null => (observed >= days ? value : null);
    const orders = (ordersOf.get(e.user_id) ?? []).filter(
      (o) => o.day >= c && o.day < c + windows.long,
    );
    const within = (days: number) => orders.some((o) => o.day < c + days);
    const lines = orders.flatMap((o) => linesOf.get(o.order_id) ?? []);
    const sessionDays = sessionDaysOf.get(e.user_id) ?? [];
    const before = (days: number) => sessionDays.some((d) => d >= c - days && d < c);
    const after = (days: number) => sessionDays.some((d) => d >= c && d < c + days);
    return {
      campaign_id: e.campaign_id,
      campaign_date: dayDate(c),
      user_id: e.user_id,
      user_type: user.user_type,
      experiment_group: e.experiment_group,
      is_treatment: e.experiment_group === "treatment",
      purchase_count_tier: e.purchase_count_tier,
      messaged_category: e.category,
      is_sent: e.is_sent,
      is_opened: e.is_opened,
      is_blocked: e.is_blocked,
      days_observed: observed,
      is_reactivated_7d: known(windows.short, within(windows.short)),
      is_reactivated_14d: known(windows.mid, within(windows.mid)),
      is_reactivated_28d: known(windows.long, orders.length > 0),
      is_reactivated_in_category_28d: known(
        windows.long,
        lines.some((l) => l.category === e.category),
      ),
      is_reactivated_other_category_28d: known(
        windows.long,
        lines.some((l) => l.category !== undefined && l.category !== e.category),
      ),
      revenue_28d: known(windows.long, roundCents(sum(lines.map((l) => l.amount)))),
      is_active_before_7d: before(windows.short),
      is_active_before_14d: before(windows.mid),
      is_active_before_28d: before(windows.long),
      is_active_after_7d: known(windows.short, after(windows.short)),
      is_active_after_14d: known(windows.mid, after(windows.mid)),
      is_active_after_28d: known(windows.long, after(windows.long)),
    };
  };
  return raw.exposures.map(row).filter((r): r is CampaignUserTruth => r !== null);
}

export interface CampaignSummaryTruth {
  campaign_id: string;
  campaign_date: string | null;
  experiment_group: string;
  users: number;
  users_messaged: number;
  users_opened: number;
  users_blocked: number;
  open_rate: number | null;
  block_rate: number | null;
  block_rate_max: number;
  is_block_rate_within_max: boolean | null;
  users_observed_7d: number;
  users_observed_14d: number;
  users_observed_28d: number;
  reactivation_rate_7d: number | null;
  reactivation_rate_14d: number | null;
  reactivation_rate_28d: number | null;
  reactivation_rate_in_category_28d: number | null;
  reactivation_rate_other_category_28d: number | null;
  revenue_per_user_28d: number | null;
  active_rate_before_7d: number | null;
  active_rate_before_14d: number | null;
  active_rate_before_28d: number | null;
  active_rate_after_7d: number | null;
  active_rate_after_14d: number | null;
  active_rate_after_28d: number | null;
}

/** dm_campaign_summary: each campaign's groups, and every campaign pooled ('All campaigns'). */
export function campaignSummaryTruth(
  users: readonly CampaignUserTruth[],
  P: MartParameters,
): CampaignSummaryTruth[] {
  const summarise = (
    campaignId: string,
    campaignDate: string | null,
    group: string,
    rows: readonly CampaignUserTruth[],
  ): CampaignSummaryTruth => {
    const count = (f: (r: CampaignUserTruth) => boolean) => rows.filter(f).length;
    const observed = (f: (r: CampaignUserTruth) => boolean | null) =>
      rows.filter((r) => f(r) !== null).length;
    const sent = count((r) => r.is_sent);
    const blocked = count((r) => r.is_blocked);
    const maxShare = P.guardrail_block_rate_max_pct / 100;
    return {
      campaign_id: campaignId,
      campaign_date: campaignDate,
      experiment_group: group,
      users: rows.length,
      users_messaged: sent,
      users_opened: count((r) => r.is_opened),
      users_blocked: blocked,
      open_rate: ratio(
        count((r) => r.is_opened),
        sent,
      ),
      block_rate: ratio(blocked, sent),
      block_rate_max: maxShare,
      is_block_rate_within_max: sent === 0 ? null : blocked / sent <= maxShare,
      users_observed_7d: observed((r) => r.is_reactivated_7d),
      users_observed_14d: observed((r) => r.is_reactivated_14d),
      users_observed_28d: observed((r) => r.is_reactivated_28d),
      reactivation_rate_7d: shareTrue(rows.map((r) => r.is_reactivated_7d)),
      reactivation_rate_14d: shareTrue(rows.map((r) => r.is_reactivated_14d)),
      reactivation_rate_28d: shareTrue(rows.map((r) => r.is_reactivated_28d)),
      reactivation_rate_in_category_28d: shareTrue(
        rows.map((r) => r.is_reactivated_in_category_28d),
      ),
      reactivation_rate_other_category_28d: shareTrue(
        rows.map((r) => r.is_reactivated_other_category_28d),
      ),
      revenue_per_user_28d: mean(rows.map((r) => r.revenue_28d)),
      active_rate_before_7d: shareTrue(rows.map((r) => r.is_active_before_7d)),
      active_rate_before_14d: shareTrue(rows.map((r) => r.is_active_before_14d)),
      active_rate_before_28d: shareTrue(rows.map((r) => r.is_active_before_28d)),
      active_rate_after_7d: shareTrue(rows.map((r) => r.is_active_after_7d)),
      active_rate_after_14d: shareTrue(rows.map((r) => r.is_active_after_14d)),
      active_rate_after_28d: shareTrue(rows.map((r) => r.is_active_after_28d)),
    };
  };
  const out: CampaignSummaryTruth[] = [];
  const groups = new Map<string, CampaignUserTruth[]>();
  for (const u of users) {
    const key = `${u.campaign_id}|${u.campaign_date}|${u.experiment_group}`;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  for (const [key, rows] of groups) {
    const [id, date, group] = key.split("|") as [string, string, string];
    out.push(summarise(id, date, group, rows));
  }
  for (const group of new Set(users.map((u) => u.experiment_group))) {
    out.push(
      summarise(
        "All campaigns",
        null,
        group,
        users.filter((u) => u.experiment_group === group),
      ),
    );
  }
  return out;
}

export interface CampaignRoiTruth {
  segment: string;
  reachable_users: number;
  measured_treated_users: number;
  measured_control_users: number;
  reactivation_uplift_28d: number | null;
  incremental_revenue_per_user_28d: number | null;
  expected_incremental_buyers: number | null;
  expected_incremental_revenue: number | null;
  campaign_cost: number | null;
  net_value: number | null;
  roi: number | null;
}

/**
 * dm_campaign_roi: every segment of the mapping table; reachable = the segment's buyers on the run
 * day who are reactivation targets and never blocked; the uplift pooled over every campaign's
 * users whose 28-day window is observed; the cost model from the mart parameters.
 */
export function campaignRoiTruth(
  raw: TruthRaw,
  runDay: number,
  P: MartParameters,
  users: readonly CampaignUserTruth[],
  rfm: readonly RfmDailyTruth[],
  churn: readonly ChurnRiskTruth[],
  segmentMap: readonly SegmentMapRow[],
): CampaignRoiTruth[] {
  const targets = new Set(churn.filter((c) => c.is_reactivation_target).map((c) => c.user_id));
  const blocked = new Set(
    raw.exposures.filter((e) => e.campaign_day <= runDay && e.is_blocked).map((e) => e.user_id),
  );
  const measured = users.filter((u) => u.is_reactivated_28d !== null);
  const treated = measured.filter((u) => u.is_treatment);
  const control = measured.filter((u) => !u.is_treatment);
  const difference = (f: (u: CampaignUserTruth) => number): number | null => {
    const a = mean(treated.map(f));
    const b = mean(control.map(f));
    return a === null || b === null ? null : a - b;
  };
  const uplift = difference((u) => (u.is_reactivated_28d ? 1 : 0));
  const incremental = difference((u) => u.revenue_28d!);
  return [...new Set(segmentMap.map((m) => m.segment))].map((segment) => {
    const reachable = rfm.filter(
      (r) => r.segment === segment && targets.has(r.user_id) && !blocked.has(r.user_id),
    ).length;
    const revenue = incremental === null ? null : reachable * incremental;
    const cost =
      revenue === null
        ? null
        : (reachable * P.roi_cost_per_message_cents) / 100 +
          (P.roi_cost_pct_of_incremental_revenue / 100) * Math.max(revenue, 0);
    const net = revenue === null || cost === null ? null : revenue - cost;
    return {
      segment,
      reachable_users: reachable,
      measured_treated_users: treated.length,
      measured_control_users: control.length,
      reactivation_uplift_28d: uplift,
      incremental_revenue_per_user_28d: incremental,
      expected_incremental_buyers: uplift === null ? null : reachable * uplift,
      expected_incremental_revenue: revenue,
      campaign_cost: cost,
      net_value: net,
      roi: net === null || cost === null || cost === 0 ? null : net / cost,
    };
  });
}
