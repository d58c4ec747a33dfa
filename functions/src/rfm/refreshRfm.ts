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
 * Takes the RFM snapshot of one date: rebuilds the segment map, replaces the `snapshots.rfm_daily`
 * partition of that date, applies the segment history statement, and reports users per segment
 * and the movements since the previous snapshot. Re-running a date replaces its partition and
 * leaves the history as one run would; a date older than the history's latest is refused before
 * anything is written, because applying it would rewrite later periods.
 */
export async function refreshRfmSnapshot(
  warehouse: Warehouse,
  snapshotDate: string,
): Promise<RfmRefreshSummary> {
  if (!isCalendarDate(snapshotDate)) {
    throw new RfmRefreshError(`Snapshot date "${snapshotDate}" is not a YYYY-MM-DD date`);
  }
  const params: Record<string, SqlParam> = { snapshot_date: { date: snapshotDate } };
  await assertHistoryAccepts(warehouse, snapshotDate);

  // The map, the day's partition and the history move together: a failure leaves all three as
  // they were (DuckDB; on BigQuery each statement is atomic and the run record marks the run).
  const rows = await warehouse.atomically(async (w) => {
    const map = martByName("rfm_segment_map");
    await w.materialize(martTarget(map, snapshotDate), martSql(map), params);
    const daily = martByName("rfm_daily");
    const written = await w.materialize(martTarget(daily, snapshotDate), martSql(daily), params);
    await applyRfmHistory(w, snapshotDate);
    return written.rows;
  });

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
    users: rows,
    segments,
    movements: movementRows
      .map((r) => ({ from: r.from_segment, to: r.to_segment, users: Number(r.users) }))
      .sort((a, b) => b.users - a.users || `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`)),
  };
}
