import type { Warehouse } from "../backends/types";
import { readSql } from "../sql/sqlFiles";
import { CLV_DAILY } from "./clvTables";

/** One decile of buyers ranked by predicted transactions: predicted against what then happened. */
export interface CalibrationDecile {
  /** 1 = the lowest predictions, 10 = the highest. */
  readonly decile: number;
  readonly customers: number;
  readonly predictedTransactions: number;
  readonly actualTransactions: number;
  readonly predictedValue: number;
  readonly actualRevenue: number;
}

export interface Calibration {
  readonly snapshotDate: string;
  /** Last day of the outcome window (the window is snapshotDate+1 .. horizonEnd). */
  readonly horizonEnd: string;
  readonly deciles: readonly CalibrationDecile[];
  /** Totals over all buyers: predicted and actual purchase days and revenue. */
  readonly total: Omit<CalibrationDecile, "decile">;
  /**
   * Mean P(alive) per user type among the snapshot's buyers, and among its repeat buyers only: a
   * one-time buyer's P(alive) is 1 by the model's construction (drop-out follows a purchase), so
   * only repeat buyers' values say something about a type's rhythm.
   */
  readonly pAliveByType: Readonly<Record<string, number>>;
  readonly pAliveByTypeRepeatBuyers: Readonly<Record<string, number>>;
  /** Sample standard deviation of P(alive) among each type's repeat buyers (NaN under two). */
  readonly pAliveSdByTypeRepeatBuyers: Readonly<Record<string, number>>;
  /** Repeat buyers per user type. */
  readonly repeatBuyersByType: Readonly<Record<string, number>>;
  /**
   * Totals per user type: the model is fitted on every buyer as one population, so its errors
   * show by type (a type that fades is over-predicted, one that stays is under-predicted) even
   * when they cancel in the total.
   */
  readonly totalByType: Readonly<Record<string, Omit<CalibrationDecile, "decile">>>;
}

interface Joined {
  readonly userType: string;
  readonly frequency: number;
  readonly pAlive: number;
  readonly predictedTransactions: number;
  readonly predictedValue: number;
  readonly actualTransactions: number;
  readonly actualRevenue: number;
}

/**
 * Compares the CLV step's 180-day predictions of `snapshotDate` with what the buyers then did
 * through `horizonEnd` (180 days later for a like-for-like check): buyers ranked by predicted
 * transactions and cut into ten equal groups (ties by user id), the mean predicted and actual
 * purchase days and revenue per group. A calibrated model has the two columns close in every
 * decile, not only in total.
 */
export async function clvCalibration(
  warehouse: Warehouse,
  snapshotDate: string,
  horizonEnd: string,
): Promise<Calibration> {
  const predictions = await warehouse.query<{
    user_id: string;
    frequency: number;
    p_alive: number;
    expected_transactions_180d: number;
    predicted_clv_180d: number | null;
  }>(
    `select user_id, frequency, p_alive, expected_transactions_180d, predicted_clv_180d
     from ${CLV_DAILY.dataset}.${CLV_DAILY.name}
     where snapshot_date = @snapshot_date`,
    { snapshot_date: { date: snapshotDate } },
  );
  const actuals = await warehouse.query<{
    user_id: string;
    user_type: string;
    purchase_days: number;
    revenue: number;
  }>(readSql("clv/clv_actuals.sql"), {
    snapshot_date: { date: snapshotDate },
    run_date: { date: horizonEnd },
  });
  const actualOf = new Map(actuals.map((a) => [a.user_id, a]));
  const joined: (Joined & { userId: string })[] = predictions.map((p) => {
    const a = actualOf.get(p.user_id);
    if (!a) throw new Error(`clv_daily has ${p.user_id}, who is no buyer as of ${snapshotDate}`);
    return {
      userId: p.user_id,
      userType: a.user_type,
      frequency: Number(p.frequency),
      pAlive: Number(p.p_alive),
      predictedTransactions: Number(p.expected_transactions_180d),
      predictedValue: Number(p.predicted_clv_180d ?? 0),
      actualTransactions: Number(a.purchase_days),
      actualRevenue: Number(a.revenue),
    };
  });
  if (joined.length === 0) throw new Error(`No CLV predictions for ${snapshotDate}`);
  joined.sort(
    (x, y) => x.predictedTransactions - y.predictedTransactions || x.userId.localeCompare(y.userId),
  );
  const summarise = (group: readonly Joined[]) => {
    const mean = (f: (j: Joined) => number) =>
      group.length === 0 ? Number.NaN : group.reduce((s, j) => s + f(j), 0) / group.length;
    return {
      customers: group.length,
      predictedTransactions: mean((j) => j.predictedTransactions),
      actualTransactions: mean((j) => j.actualTransactions),
      predictedValue: mean((j) => j.predictedValue),
      actualRevenue: mean((j) => j.actualRevenue),
    };
  };
  const deciles: CalibrationDecile[] = [];
  for (let d = 0; d < 10; d++) {
    const group = joined.slice(
      Math.floor((joined.length * d) / 10),
      Math.floor((joined.length * (d + 1)) / 10),
    );
    if (group.length > 0) deciles.push({ decile: d + 1, ...summarise(group) });
  }
  const types = [...new Set(joined.map((j) => j.userType))].sort();
  const meanPAlive = (group: readonly Joined[]) =>
    group.length === 0 ? Number.NaN : group.reduce((s, j) => s + j.pAlive, 0) / group.length;
  const byType = <T>(keep: (j: Joined) => boolean, f: (group: Joined[]) => T) =>
    Object.fromEntries(types.map((t) => [t, f(joined.filter((j) => j.userType === t && keep(j)))]));
  const pAliveByType = byType(() => true, meanPAlive);
  const pAliveByTypeRepeatBuyers = byType((j) => j.frequency > 0, meanPAlive);
  const pAliveSdByTypeRepeatBuyers = byType(
    (j) => j.frequency > 0,
    (g) => {
      const m = meanPAlive(g);
      return Math.sqrt(g.reduce((s, j) => s + (j.pAlive - m) ** 2, 0) / (g.length - 1));
    },
  );
  const repeatBuyersByType = byType(
    (j) => j.frequency > 0,
    (g) => g.length,
  );
  return {
    snapshotDate,
    horizonEnd,
    deciles,
    total: summarise(joined),
    pAliveByType,
    pAliveByTypeRepeatBuyers,
    pAliveSdByTypeRepeatBuyers,
    repeatBuyersByType,
    totalByType: byType(() => true, summarise),
  };
}
