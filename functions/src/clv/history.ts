/**
 * A customer's purchase history as the BG/NBD and Gamma-Gamma models read it: the
 * "frequency, recency, age" summary of Fader, Hardie and Lee (2005), all times in one unit (the
 * stack uses weeks, as the papers do, so fitted parameters compare with theirs).
 *
 * A transaction is a purchase day: several orders on one day count once (the papers' convention
 * for CDNOW, and it keeps a split basket from looking like loyalty).
 */
export interface CustomerHistory {
  /** x: repeat transactions, the purchase days after the first one. */
  readonly frequency: number;
  /** t_x: time from the first purchase to the last one (0 without a repeat purchase). */
  readonly recency: number;
  /** T: time from the first purchase to the end of the observation (the snapshot date). */
  readonly age: number;
}

/** A repeat buyer's spend, as the Gamma-Gamma model reads it. */
export interface CustomerSpend {
  /** x: repeat transactions, at least 1. */
  readonly frequency: number;
  /** m̄: mean value of the repeat transactions (the first purchase is left out, as in the paper). */
  readonly monetary: number;
}

/** Checks a history before a model reads it, so a bad summary fails with the customer named. */
export function assertHistory(h: CustomerHistory, label: string): void {
  const ok =
    Number.isInteger(h.frequency) &&
    h.frequency >= 0 &&
    h.recency >= 0 &&
    h.age >= h.recency &&
    (h.frequency > 0 || h.recency === 0);
  if (!ok) {
    throw new Error(
      `${label}: not a purchase history (frequency ${h.frequency}, recency ${h.recency}, age ${h.age})`,
    );
  }
}

/** The same histories counted once each, with how many customers share them: the likelihood's terms. */
export function groupHistories(
  histories: readonly CustomerHistory[],
): { history: CustomerHistory; count: number }[] {
  const groups = new Map<string, { history: CustomerHistory; count: number }>();
  histories.forEach((h, i) => {
    assertHistory(h, `customer ${i}`);
    const key = `${h.frequency}|${h.recency}|${h.age}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { history: h, count: 1 });
  });
  return [...groups.values()];
}
