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

/** The buyers in each snapshot of a range, in date order. */
export interface RfmSnapshotTaken {
  readonly snapshotDate: string;
  readonly users: number;
}

/** The snapshot dates a range wrote and their buyers, in BigQuery SQL. */
export const SNAPSHOTS_TAKEN_SQL = `select cast(snapshot_date as string) as snapshot_date, count(*) as users
from snapshots.rfm_daily
where snapshot_date between @from_date and @snapshot_date
group by snapshot_date
order by snapshot_date`;

/**
 * Takes the RFM snapshots from `from` to `snapshotDate` (default: that one date) in one query:
 * the snapshot at every month end of the range and on `snapshotDate` (`sql/rfm/rfm_daily.sql`
 * says which dates; 24 queries of a bulk run's month ends took 0.6-0.9 s, one query 0.1-0.2 s).
 * It rebuilds the segment map, replaces the range's `snapshots.rfm_daily` partitions, and
 * applies the segment history statement for each date written, in order. All of it moves
 * together (DuckDB: one transaction; BigQuery: each statement atomic, the run record marks the
 * run). A range that starts before the history's latest date is refused before anything is
 * written, because applying it would rewrite later periods. Returns the buyers in each date's
 * snapshot; a date without buyers has no snapshot.
 */
export async function takeRfmSnapshots(
  warehouse: Warehouse,
  snapshotDate: string,
  from: string = snapshotDate,
): Promise<RfmSnapshotTaken[]> {
  for (const date of [from, snapshotDate])
    if (!isCalendarDate(date))
      throw new RfmRefreshError(`Snapshot date "${date}" is not a YYYY-MM-DD date`);
  if (from > snapshotDate)
    throw new RfmRefreshError(`Snapshot range must ascend: ${from} is after ${snapshotDate}`);
  await assertHistoryAccepts(warehouse, from);
  return warehouse.atomically(async (w) => {
    const params: Record<string, SqlParam> = {
      snapshot_date: { date: snapshotDate },
      from_date: { date: from },
    };
    const map = martByName("rfm_segment_map");
    await w.materialize(martTarget(map, snapshotDate), martSql(map), params);
    const daily = martByName("rfm_daily");
    await w.materialize(martTarget(daily, snapshotDate, from), martSql(daily), params);
    const taken = await w.query<{ snapshot_date: string; users: number | string }>(
      SNAPSHOTS_TAKEN_SQL,
      params,
    );
    for (const { snapshot_date } of taken) await applyRfmHistory(w, snapshot_date);
    return taken.map((t) => ({ snapshotDate: t.snapshot_date, users: Number(t.users) }));
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
  const [taken] = await takeRfmSnapshots(warehouse, snapshotDate);
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
    users: taken?.users ?? 0,
    segments,
    movements: movementRows
      .map((r) => ({ from: r.from_segment, to: r.to_segment, users: Number(r.users) }))
      .sort((a, b) => b.users - a.users || `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`)),
  };
}
