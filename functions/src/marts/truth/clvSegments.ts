import { expectedTransactions, probabilityAlive } from "../../clv/bgnbd";
import { expectedAverageValue } from "../../clv/gammaGamma";
import { dayDate, type TruthRaw } from "./rawRows";
import type { RfmDailyTruth, SegmentMapRow } from "./rfmSnapshot";
import { groupBy, mean, ratio, sum } from "./stats";

/**
 * The fit of one snapshot date as `snapshots.clv_fit` holds it: the oracle reads the fitted
 * parameters (the maximum-likelihood fit is checked against the papers and SciPy in `clv/`), and
 * recomputes everything the mart derives from them.
 */
export interface ClvFitRow {
  readonly snapshot_date: string;
  readonly bgnbd_r: number;
  readonly bgnbd_alpha: number;
  readonly bgnbd_a: number;
  readonly bgnbd_b: number;
  readonly gamma_gamma_p: number | null;
  readonly gamma_gamma_q: number | null;
  readonly gamma_gamma_gamma: number | null;
}

/** A buyer's purchase-day history up to a day, in days, from the raw rows. */
interface History {
  frequency: number;
  recencyDays: number;
  ageDays: number;
  monetary: number;
}

const DAYS_PER_WEEK = 7;

/**
 * Each non-anomalous buyer's history up to `snapshotDay`, from the orders and lines themselves
 * (not from `clv_customer_history.sql`): a purchase day is a day with an order, its revenue the
 * lines of that day's orders; frequency counts the days after the first, monetary is the mean
 * revenue of those days (0 without one).
 */
export function clvHistoriesTruth(raw: TruthRaw, snapshotDay: number): Map<string, History> {
  const anomalous = new Set(raw.users.filter((u) => u.is_anomaly).map((u) => u.user_id));
  const known = new Set(raw.users.map((u) => u.user_id));
  const revenueOf = new Map<string, number>();
  for (const line of raw.lines) {
    if (line.order_day > snapshotDay) continue;
    revenueOf.set(line.order_id, (revenueOf.get(line.order_id) ?? 0) + line.line_amount);
  }
  const days = new Map<string, Map<number, number>>();
  for (const order of raw.orders) {
    if (order.order_day > snapshotDay) continue;
    if (!known.has(order.user_id) || anomalous.has(order.user_id)) continue;
    const byDay = days.get(order.user_id) ?? new Map<number, number>();
    byDay.set(
      order.order_day,
      (byDay.get(order.order_day) ?? 0) + (revenueOf.get(order.order_id) ?? 0),
    );
    days.set(order.user_id, byDay);
  }
  const histories = new Map<string, History>();
  for (const [userId, byDay] of days) {
    const sorted = [...byDay.keys()].sort((a, b) => a - b);
    const first = sorted[0]!;
    const repeats = sorted.slice(1).map((d) => byDay.get(d)!);
    histories.set(userId, {
      frequency: repeats.length,
      recencyDays: sorted[sorted.length - 1]! - first,
      ageDays: snapshotDay - first,
      monetary: repeats.length === 0 ? 0 : sum(repeats) / repeats.length,
    });
  }
  return histories;
}

export interface ClvSegmentTruth {
  snapshot_date: string;
  segment: string;
  buyers: number;
  repeat_buyers: number;
  revenue_to_date: number;
  mean_p_alive: number | null;
  mean_p_alive_repeat_buyers: number | null;
  mean_expected_transactions_180d: number | null;
  predicted_clv_180d: number | null;
  predicted_clv_180d_per_buyer: number | null;
  predicted_clv_180d_share: number | null;
  predicted_clv_365d: number | null;
  predicted_clv_365d_per_buyer: number | null;
}

/**
 * dm_clv_segments for the snapshot days that have both an RFM snapshot (`rfm`, the RFM oracle's
 * rows) and a fit (`fits`): every buyer's P(alive), expected purchase days and predicted revenue
 * from the models' formulas applied to the oracle's own histories, summed per segment; every
 * segment of the mapping table on every such day.
 */
export function clvSegmentsTruth(
  raw: TruthRaw,
  rfm: readonly RfmDailyTruth[],
  fits: readonly ClvFitRow[],
  segmentMap: readonly SegmentMapRow[],
): ClvSegmentTruth[] {
  const segments = [...new Set(segmentMap.map((m) => m.segment))];
  const out: ClvSegmentTruth[] = [];
  for (const [date, rows] of groupBy(rfm, (r) => r.snapshot_date)) {
    const fit = fits.find((f) => f.snapshot_date === date);
    if (!fit) continue;
    const day = Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
    const histories = clvHistoriesTruth(raw, day);
    const p = { r: fit.bgnbd_r, alpha: fit.bgnbd_alpha, a: fit.bgnbd_a, b: fit.bgnbd_b };
    const g =
      fit.gamma_gamma_p === null || fit.gamma_gamma_q === null || fit.gamma_gamma_gamma === null
        ? null
        : { p: fit.gamma_gamma_p, q: fit.gamma_gamma_q, gamma: fit.gamma_gamma_gamma };
    const buyers = rows.flatMap((r) => {
      const h = histories.get(r.user_id);
      if (!h) return [];
      const weeks = {
        frequency: h.frequency,
        recency: h.recencyDays / DAYS_PER_WEEK,
        age: h.ageDays / DAYS_PER_WEEK,
      };
      const value = g
        ? expectedAverageValue(g, { frequency: h.frequency, monetary: h.monetary })
        : null;
      const transactions = (days: number) => expectedTransactions(p, weeks, days / DAYS_PER_WEEK);
      return [
        {
          segment: r.segment,
          monetary: r.monetary,
          repeat: h.frequency > 0,
          pAlive: probabilityAlive(p, weeks),
          t180: transactions(180),
          clv180: value === null ? null : transactions(180) * value,
          clv365: value === null ? null : transactions(365) * value,
        },
      ];
    });
    const bySegment = groupBy(buyers, (b) => b.segment);
    const total180 = g ? sum(buyers.map((b) => b.clv180!)) : null;
    for (const segment of segments) {
      const group = bySegment.get(segment) ?? [];
      const n = group.length;
      const clv180 = g && n > 0 ? sum(group.map((b) => b.clv180!)) : null;
      const clv365 = g && n > 0 ? sum(group.map((b) => b.clv365!)) : null;
      out.push({
        snapshot_date: dayDate(day),
        segment,
        buyers: n,
        repeat_buyers: group.filter((b) => b.repeat).length,
        revenue_to_date: sum(group.map((b) => b.monetary)),
        mean_p_alive: mean(group.map((b) => b.pAlive)),
        mean_p_alive_repeat_buyers: mean(group.filter((b) => b.repeat).map((b) => b.pAlive)),
        mean_expected_transactions_180d: mean(group.map((b) => b.t180)),
        predicted_clv_180d: clv180,
        predicted_clv_180d_per_buyer: clv180 === null ? null : ratio(clv180, n),
        predicted_clv_180d_share:
          clv180 === null || total180 === null ? null : ratio(clv180, total180),
        predicted_clv_365d: clv365,
        predicted_clv_365d_per_buyer: clv365 === null ? null : ratio(clv365, n),
      });
    }
  }
  return out;
}
