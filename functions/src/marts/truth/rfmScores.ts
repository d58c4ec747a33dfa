import { monetaryThresholds, scoreFrequency, scoreMonetary, scoreRecency } from "../../rfm/scoring";
import type { TruthRaw } from "./rawRows";
import { groupBy } from "./userKpis";

export interface RfmScoreTruth {
  readonly recency_days: number;
  readonly frequency: number;
  readonly monetary: number;
  readonly recency_score: number;
  readonly frequency_score: number;
  readonly monetary_score: number;
}

/**
 * Recomputes every buyer's RFM scores as of a snapshot day from raw rows with the TypeScript
 * score table (functions/src/rfm/scoring.ts): buyers are non-anomalous users with an order on or
 * before the day; monetary is their revenue to date rounded to cents.
 */
export function computeRfmScores(raw: TruthRaw, snapshotDay: number): Map<string, RfmScoreTruth> {
  const revenueByOrder = new Map<string, number>();
  for (const line of raw.lines) {
    revenueByOrder.set(line.order_id, (revenueByOrder.get(line.order_id) ?? 0) + line.line_amount);
  }
  const eligible = new Set(
    raw.users.filter((u) => !u.is_anomaly && u.signup_day <= snapshotDay).map((u) => u.user_id),
  );
  const byUser = groupBy(
    raw.orders.filter((o) => o.order_day <= snapshotDay && eligible.has(o.user_id)),
    (o) => o.user_id,
  );
  const buyers = [...byUser.entries()].map(([userId, orders]) => {
    const monetary = orders.reduce((sum, o) => sum + (revenueByOrder.get(o.order_id) ?? 0), 0);
    return {
      userId,
      recencyDays: snapshotDay - Math.max(...orders.map((o) => o.order_day)),
      frequency: orders.length,
      monetary: Math.round(monetary * 100) / 100,
    };
  });
  const result = new Map<string, RfmScoreTruth>();
  if (buyers.length === 0) return result;
  const thresholds = monetaryThresholds(buyers.map((b) => b.monetary));
  for (const b of buyers) {
    result.set(b.userId, {
      recency_days: b.recencyDays,
      frequency: b.frequency,
      monetary: b.monetary,
      recency_score: scoreRecency(b.recencyDays),
      frequency_score: scoreFrequency(b.frequency),
      monetary_score: scoreMonetary(b.monetary, thresholds),
    });
  }
  return result;
}
