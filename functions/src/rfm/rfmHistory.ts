import type { Warehouse } from "../backends/types";
import { isMissingTable } from "../backends/missingTable";
import type { SqlParam } from "../sql/render";
import { readSql } from "../sql/sqlFiles";

/** The statement that maintains snapshots.rfm_segment_history from one rfm_daily partition. */
export const RFM_HISTORY_FILE = "rfm/rfm_segment_history.sql";

/** Raised for a snapshot date the history cannot take; nothing has been written when it is. */
export class RfmRefreshError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RfmRefreshError";
  }
}

/** The query for the history's latest valid_from. */
export const LATEST_HISTORY_SQL =
  "select cast(max(valid_from) as string) as latest from snapshots.rfm_segment_history";

/** The latest valid_from in the segment history, or null when the history does not exist yet. */
export async function latestHistoryDate(warehouse: Warehouse): Promise<string | null> {
  try {
    const [row] = await warehouse.query<{ latest: string | null }>(LATEST_HISTORY_SQL);
    return row?.latest ?? null;
  } catch (error) {
    if (isMissingTable(error)) return null;
    throw error;
  }
}

/**
 * Refuses a snapshot date older than the history's latest: applying it would rewrite periods that
 * later snapshots already closed. Call it before writing anything for that date.
 */
export async function assertHistoryAccepts(
  warehouse: Warehouse,
  snapshotDate: string,
): Promise<void> {
  const latest = await latestHistoryDate(warehouse);
  if (latest !== null && snapshotDate < latest) {
    throw new RfmRefreshError(
      `Snapshot date ${snapshotDate} is before the latest applied snapshot ${latest}; history is applied in date order`,
    );
  }
}

/** Applies the rfm_daily partition of a date to the segment history (idempotent for that date). */
export async function applyRfmHistory(warehouse: Warehouse, snapshotDate: string): Promise<void> {
  const params: Record<string, SqlParam> = { snapshot_date: { date: snapshotDate } };
  await warehouse.execute(readSql(RFM_HISTORY_FILE), params);
}
