import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CustomerHistory, CustomerSpend } from "../history";

/**
 * The CDNOW sample of Fader, Hardie and Lee, read for tests straight from its text file: an
 * independent reading beside the orders loader, so tests can check the loader and the warehouse
 * summary against it. CI clones the repository with the shared data folder beside it.
 */
export const CDNOW_FILE = join(__dirname, "../../../../../shared/data/cdnow/CDNOW_sample.txt");

/** The papers' calibration period: weeks 1-39, 1997-01-01..1997-09-30. */
export const CDNOW_CALIBRATION_END = "1997-09-30";

/** The published results (README of the data folder; BG/NBD paper, iso-value paper). */
export const CDNOW_PUBLISHED = {
  bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, logLikelihood: -9582.4 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44, repeatBuyers: 946 },
  customers: 2357,
  rows: 6919,
} as const;

export interface CdnowRow {
  readonly customer: string;
  /** YYYY-MM-DD */
  readonly date: string;
  readonly cds: number;
  readonly dollars: number;
}

export function readCdnowRows(file = CDNOW_FILE): CdnowRow[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [, customer, ymd, cds, dollars] = line.trim().split(/\s+/);
      return {
        customer: customer!,
        date: `${ymd!.slice(0, 4)}-${ymd!.slice(4, 6)}-${ymd!.slice(6, 8)}`,
        cds: Number(cds),
        dollars: Number(dollars),
      };
    });
}

export interface TruthHistory extends CustomerHistory, CustomerSpend {
  readonly customer: string;
}

/**
 * Each customer's history up to `end` (inclusive), in weeks: transactions are purchase days (the
 * day's rows summed), x = days after the first, t_x and T measured from the first day to the last
 * purchase and to `end`, m̄ = mean value of the repeat days (0 without one).
 */
export function historiesFromTransactions(
  rows: readonly { customer: string; date: string; amount: number }[],
  end: string,
): TruthHistory[] {
  const days = new Map<string, Map<string, number>>();
  for (const row of rows) {
    if (row.date > end) continue;
    const perDay = days.get(row.customer) ?? new Map<string, number>();
    perDay.set(row.date, (perDay.get(row.date) ?? 0) + row.amount);
    days.set(row.customer, perDay);
  }
  const week = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / (7 * 86_400_000);
  return [...days]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([customer, perDay]) => {
      const dates = [...perDay.keys()].sort();
      const first = dates[0]!;
      const repeat = dates.slice(1).map((d) => perDay.get(d)!);
      return {
        customer,
        frequency: repeat.length,
        recency: week(first, dates[dates.length - 1]!),
        age: week(first, end),
        monetary: repeat.length > 0 ? repeat.reduce((a, b) => a + b, 0) / repeat.length : 0,
      };
    });
}
