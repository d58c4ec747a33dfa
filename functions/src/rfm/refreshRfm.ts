import type { Warehouse } from "../backends/types";
import { martByName } from "../marts/catalog";
import { martSql } from "../marts/martParameters";
import { isCalendarDate, martTarget } from "../marts/targets";
import { RfmRefreshError, applyRfmHistory, assertHistoryAccepts } from "./rfmHistory";

export { RfmRefreshError } from "./rfmHistory";
import type { SqlParam } from "../sql/render";
import { readSql } from "../sql/sqlFiles";

export interface RfmMovement {
  /** The previous snapshot's segment; null for a buyer new to the snapshot. */
  readonly from: string | null;
  readonly to: string;
  readonly users: number;
}

export interface RfmRefreshSummary {
  readonly snapshotDate: string;
  readonly users: number;
  /** Users per segment; all nine segments, zero where none. */
  readonly segments: Record<string, number>;
  /** Segment changes since the previous snapshot (unchanged users are not listed). */
  readonly movements: RfmMovement[];
}

/**
 * Takes the RFM snapshots of some dates, in order: rebuilds the segment map once, then for each
 * date replaces its `snapshots.rfm_daily` partition and applies the segment history statement.
 * All of it moves together (DuckDB: one transaction; BigQuery: each statement atomic, the run
 * record marks the run). A date older than the history's latest, or dates out of order, are
 * refused before anything is written, because applying them would rewrite later periods. Returns
 * the buyers in each date's snapshot.
 */
export async function takeRfmSnapshots(
  warehouse: Warehouse,
  snapshotDates: readonly string[],
): Promise<number[]> {
  for (const [i, date] of snapshotDates.entries()) {
    if (!isCalendarDate(date))
      throw new RfmRefreshError(`Snapshot date "${date}" is not a YYYY-MM-DD date`);
    if (i > 0 && date <= snapshotDates[i - 1]!)
      throw new RfmRefreshError(`Snapshot dates must ascend: ${snapshotDates[i - 1]} then ${date}`);
  }
  if (snapshotDates.length === 0) return [];
  await assertHistoryAccepts(warehouse, snapshotDates[0]!);
  return warehouse.atomically(async (w) => {
    const map = martByName("rfm_segment_map");
    const first = { snapshot_date: { date: snapshotDates[0]! } };
    await w.materialize(martTarget(map, snapshotDates[0]!), martSql(map), first);
    const daily = martByName("rfm_daily");
    const users: number[] = [];
    for (const snapshotDate of snapshotDates) {
      const params: Record<string, SqlParam> = { snapshot_date: { date: snapshotDate } };
      const written = await w.materialize(martTarget(daily, snapshotDate), martSql(daily), params);
      await applyRfmHistory(w, snapshotDate);
      users.push(written.rows);
    }
    return users;
  });
}

/**
 * Takes the RFM snapshot of one date (`takeRfmSnapshots`), and reports users per segment and the
 * movements since the previous snapshot. Re-running a date replaces its partition and leaves the
 * history as one run would.
 */
export async function refreshRfmSnapshot(
  warehouse: Warehouse,
  snapshotDate: string,
): Promise<RfmRefreshSummary> {
  const [rows] = await takeRfmSnapshots(warehouse, [snapshotDate]);
  const params: Record<string, SqlParam> = { snapshot_date: { date: snapshotDate } };
  const segmentRows = await warehouse.query<{ segment: string; users: number | string }>(
    readSql("rfm/rfm_segment_counts.sql"),
    params,
  );
  const movementRows = await warehouse.query<{
    from_segment: string | null;
    to_segment: string;
    users: number | string;
  }>(readSql("rfm/rfm_movements.sql"), params);

  const segments: Record<string, number> = {};
  for (const r of [...segmentRows].sort((a, b) => a.segment.localeCompare(b.segment))) {
    segments[r.segment] = Number(r.users);
  }
  return {
    snapshotDate,
    users: rows ?? 0,
    segments,
    movements: movementRows
      .map((r) => ({ from: r.from_segment, to: r.to_segment, users: Number(r.users) }))
      .sort((a, b) => b.users - a.users || `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`)),
  };
}
