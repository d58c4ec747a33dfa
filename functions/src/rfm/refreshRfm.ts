import type { Warehouse } from "../backends/types";
import { martByName } from "../marts/catalog";
import { martTarget, RFM_HISTORY_FILE } from "../marts/runMarts";
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

/** Raised for a snapshot date the history cannot take; nothing has been written when it is. */
export class RfmRefreshError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RfmRefreshError";
  }
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

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
  if (!DATE_RE.test(snapshotDate) || Number.isNaN(Date.parse(`${snapshotDate}T00:00:00Z`))) {
    throw new RfmRefreshError(`Snapshot date "${snapshotDate}" is not a YYYY-MM-DD date`);
  }
  const params: Record<string, SqlParam> = { snapshot_date: { date: snapshotDate } };
  const latest = await latestHistoryDate(warehouse);
  if (latest !== null && snapshotDate < latest) {
    throw new RfmRefreshError(
      `Snapshot date ${snapshotDate} is before the latest applied snapshot ${latest}; history is applied in date order`,
    );
  }

  const map = martByName("rfm_segment_map");
  await warehouse.materialize(martTarget(map, snapshotDate), readSql(map.file), params);
  const daily = martByName("rfm_daily");
  const { rows } = await warehouse.materialize(
    martTarget(daily, snapshotDate),
    readSql(daily.file),
    params,
  );
  await warehouse.execute(readSql(RFM_HISTORY_FILE), params);

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

/** The latest valid_from in the segment history, or null when the history does not exist yet. */
async function latestHistoryDate(warehouse: Warehouse): Promise<string | null> {
  try {
    const [row] = await warehouse.query<{ latest: string | null }>(
      "select cast(max(valid_from) as string) as latest from snapshots.rfm_segment_history",
    );
    return row?.latest ?? null;
  } catch (error) {
    if (/does not exist|not found/i.test((error as Error).message)) return null;
    throw error;
  }
}
