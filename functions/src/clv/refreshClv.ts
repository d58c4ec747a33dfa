import type { RowValue, Warehouse } from "../backends/types";
import { isCalendarDate } from "../marts/targets";
import { readSql } from "../sql/sqlFiles";
import { expectedTransactions, fitBgNbd, probabilityAlive, type BgNbdFit } from "./bgnbd";
import { CLV_DAILY, CLV_FIT } from "./clvTables";
import {
  expectedAverageValue,
  fitGammaGamma,
  spendFrequencyCorrelation,
  type GammaGammaFit,
} from "./gammaGamma";
import type { CustomerHistory } from "./history";

/** The SQL that summarises each buyer's purchase days up to the snapshot date. */
export const CLV_HISTORY_SQL = "clv/clv_customer_history.sql";

/** Days in the model's time unit: weeks, as in the papers, so parameters compare with theirs. */
const DAYS_PER_UNIT = 7;
/** The prediction horizons, in days. */
export const CLV_HORIZONS_DAYS = [90, 180, 365] as const;

/** A buyer's history as the SQL returns it (times in days). */
export interface HistoryRow {
  readonly user_id: string;
  readonly first_purchase_date: string;
  readonly frequency: number;
  readonly recency_days: number;
  readonly age_days: number;
  readonly monetary: number;
  readonly revenue: number;
}

export interface ClvRefreshSummary {
  readonly snapshotDate: string;
  /**
   * `fitted`: both tables written; `skipped`: too little data to fit, the date's partitions of
   * both emptied (no rows of an older fit stay).
   */
  readonly status: "fitted" | "skipped";
  readonly reason?: string;
  readonly customers: number;
  readonly bgnbd?: BgNbdFit;
  /** Absent when the spend model could not be fitted (value columns are then null). */
  readonly gammaGamma?: GammaGammaFit;
  readonly spendFrequencyCorrelation?: number;
}

/** A bad snapshot date, refused before the warehouse is read. */
export class ClvRefreshError extends Error {}

/** The history in the model's unit. */
export function toWeeks(row: HistoryRow): CustomerHistory & { monetary: number } {
  return {
    frequency: Number(row.frequency),
    recency: Number(row.recency_days) / DAYS_PER_UNIT,
    age: Number(row.age_days) / DAYS_PER_UNIT,
    monetary: Number(row.monetary),
  };
}

/**
 * What the CLV step computed for one snapshot date, ready to write: plain data (it crosses to and
 * from the worker thread that computes it beside the marts, `marts/offThread.ts`).
 */
export type ClvComputation =
  | { readonly status: "skipped"; readonly reason: string; readonly customers: number }
  | {
      readonly status: "fitted";
      readonly customers: number;
      readonly daily: Record<string, RowValue>[];
      readonly fit: Record<string, RowValue>;
      readonly bgnbd: BgNbdFit;
      readonly gammaGamma?: GammaGammaFit;
      readonly spendFrequencyCorrelation?: number;
    };

/**
 * The CLV step of one snapshot date: reads every buyer's purchase history up to the date through
 * the warehouse, fits BG/NBD (all buyers) and Gamma-Gamma (repeat buyers with positive spend) by
 * maximum likelihood, and replaces that date's partitions of `snapshots.clv_daily` (one row per
 * buyer) and `snapshots.clv_fit` (the parameters and log-likelihoods). Re-running a date replaces
 * its rows. With no repeat buyer yet the BG/NBD cannot be fitted: the step is skipped and says
 * why, leaving the date's partitions empty; so does a fit whose predictions are not finite
 * numbers (a few buyers can put the maximum on the edge of the parameter space). When only the spend model fails (too few repeat buyers, or q <= 1, an
 * infinite mean), the value columns are null and `clv_fit` says why.
 */
export async function refreshClvSnapshot(
  warehouse: Warehouse,
  snapshotDate: string,
  now: () => Date = () => new Date(),
): Promise<ClvRefreshSummary> {
  const rows = await readClvHistories(warehouse, snapshotDate);
  return writeClv(warehouse, snapshotDate, computeClv(rows, snapshotDate, now().toISOString()));
}

/** Every buyer's purchase history up to the date, in user order (the step's one read). */
export async function readClvHistories(
  warehouse: Warehouse,
  snapshotDate: string,
): Promise<HistoryRow[]> {
  if (!isCalendarDate(snapshotDate)) {
    throw new ClvRefreshError(`Snapshot date "${snapshotDate}" is not a YYYY-MM-DD date`);
  }
  const rows = await warehouse.query<HistoryRow>(readSql(CLV_HISTORY_SQL), {
    snapshot_date: { date: snapshotDate },
  });
  return rows.sort((a, b) => a.user_id.localeCompare(b.user_id));
}

/**
 * Replaces the date's partitions with what `computeClv` found: its predictions and fit, or
 * nothing when it skipped the date (a re-run never leaves an older fit's rows standing, and the
 * tables exist for the marts that read them).
 */
export async function writeClv(
  warehouse: Warehouse,
  snapshotDate: string,
  computed: ClvComputation,
): Promise<ClvRefreshSummary> {
  if (computed.status === "skipped") {
    await warehouse.writeRows(CLV_DAILY, [], snapshotDate);
    await warehouse.writeRows(CLV_FIT, [], snapshotDate);
    return { snapshotDate, ...computed };
  }
  await warehouse.writeRows(CLV_DAILY, computed.daily, snapshotDate);
  await warehouse.writeRows(CLV_FIT, [computed.fit], snapshotDate);
  return {
    snapshotDate,
    status: "fitted",
    customers: computed.customers,
    bgnbd: computed.bgnbd,
    ...(computed.gammaGamma ? { gammaGamma: computed.gammaGamma } : {}),
    ...(computed.spendFrequencyCorrelation !== undefined
      ? { spendFrequencyCorrelation: computed.spendFrequencyCorrelation }
      : {}),
  };
}

/**
 * The range a fitted BG/NBD parameter must fall in to be used. The fits seen on real data and
 * the shop sit well inside it (CDNOW: r 0.24, α 4.4 weeks, a 0.79, b 2.4; the shop: a 8-14, b
 * 19-23); beyond it the maximum is on the edge of the parameter space.
 */
export const FIT_PARAMETER_RANGE = [1e-6, 1e6] as const;

/**
 * The step's arithmetic, without the warehouse: fits BG/NBD on every history (sorted by user)
 * and Gamma-Gamma on the repeat buyers with positive spend, and predicts per buyer. `fittedAt`
 * is the fit row's timestamp. Skips the date, saying why, when there is no repeat buyer or the
 * fit degenerates.
 */
export function computeClv(
  rows: readonly HistoryRow[],
  snapshotDate: string,
  fittedAt: string,
): ClvComputation {
  const histories = rows.map(toWeeks);
  if (!histories.some((h) => h.frequency > 0)) {
    return {
      status: "skipped",
      reason: `no repeat buyer among ${rows.length} buyer(s) up to ${snapshotDate}`,
      customers: rows.length,
    };
  }
  const bgnbd = fitBgNbd(histories);
  const degenerate = (why: string): ClvComputation => {
    // A maximum on the edge of the parameter space (a handful of buyers can put r and α near
    // infinity and a near 0): no prediction is better than a wrong one.
    const shown = Object.entries(bgnbd.params)
      .map(([k, v]) => `${k} = ${v.toPrecision(4)}`)
      .join(", ");
    return {
      status: "skipped",
      reason:
        `the BG/NBD fit on ${rows.length} buyer(s) up to ${snapshotDate} degenerated (${shown}): ` +
        `${why}; too little data`,
      customers: rows.length,
    };
  };
  // Parameters outside this range are an edge of the parameter space, not a fit: the
  // predictions' hypergeometric series can then run for hours (seen on 13 buyers:
  // a = 2.6e305), so they are refused before any prediction is computed.
  const outside = Object.entries(bgnbd.params).find(
    ([, v]) => !(v >= FIT_PARAMETER_RANGE[0] && v <= FIT_PARAMETER_RANGE[1]),
  );
  if (outside) return degenerate(`${outside[0]} is outside ${FIT_PARAMETER_RANGE.join("..")}`);
  const spends = histories.filter((h) => h.frequency > 0 && h.monetary > 0);
  let gammaGamma: GammaGammaFit | undefined;
  let note: string | null = null;
  try {
    gammaGamma = fitGammaGamma(spends);
    if (!(gammaGamma.params.q > 1)) {
      note = `q = ${gammaGamma.params.q} <= 1: the mean spend is infinite`;
      gammaGamma = undefined;
    }
  } catch (error) {
    note = (error as Error).message;
  }
  const correlation = spendFrequencyCorrelation(spends);

  const p = bgnbd.params;
  const daily: Record<string, RowValue>[] = rows.map((row, i) => {
    const h = histories[i]!;
    const [t90, t180, t365] = CLV_HORIZONS_DAYS.map((d) =>
      expectedTransactions(p, h, d / DAYS_PER_UNIT),
    ) as [number, number, number];
    const value = gammaGamma ? expectedAverageValue(gammaGamma.params, h) : null;
    return {
      snapshot_date: snapshotDate,
      user_id: row.user_id,
      first_purchase_date: row.first_purchase_date,
      frequency: h.frequency,
      recency_weeks: h.recency,
      age_weeks: h.age,
      monetary: h.monetary,
      revenue: Number(row.revenue),
      p_alive: probabilityAlive(p, h),
      expected_transactions_90d: t90,
      expected_transactions_180d: t180,
      expected_transactions_365d: t365,
      expected_value_per_transaction: value,
      predicted_clv_180d: value === null ? null : t180 * value,
      predicted_clv_365d: value === null ? null : t365 * value,
    };
  });
  const unusable = daily.findIndex((row) =>
    Object.values(row).some((v) => typeof v === "number" && !Number.isFinite(v)),
  );
  if (unusable !== -1) {
    return degenerate(`its predictions are not finite numbers (${rows[unusable]!.user_id})`);
  }
  const g = gammaGamma?.params;
  const fit: Record<string, RowValue> = {
    snapshot_date: snapshotDate,
    time_unit: "week",
    customers: rows.length,
    repeat_buyers: histories.filter((h) => h.frequency > 0).length,
    bgnbd_r: p.r,
    bgnbd_alpha: p.alpha,
    bgnbd_a: p.a,
    bgnbd_b: p.b,
    bgnbd_log_likelihood: bgnbd.logLikelihood,
    gamma_gamma_customers: spends.length,
    gamma_gamma_p: g?.p ?? null,
    gamma_gamma_q: g?.q ?? null,
    gamma_gamma_gamma: g?.gamma ?? null,
    gamma_gamma_log_likelihood: gammaGamma?.logLikelihood ?? null,
    spend_frequency_correlation: Number.isFinite(correlation) ? correlation : null,
    gamma_gamma_note: note,
    fitted_at: fittedAt,
  };
  return {
    status: "fitted",
    customers: rows.length,
    daily,
    fit,
    bgnbd,
    ...(gammaGamma ? { gammaGamma } : {}),
    ...(Number.isFinite(correlation) ? { spendFrequencyCorrelation: correlation } : {}),
  };
}
