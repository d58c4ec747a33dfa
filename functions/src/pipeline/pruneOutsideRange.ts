import { RAW_TABLE_LIST } from "../contract";
import type { Lake, Warehouse } from "../backends/types";
import { isMissingTable } from "../backends/missingTable";
import { MARTS } from "../marts/catalog";
import { parseLakePath } from "./lakePaths";

/**
 * Drops lake files and warehouse rows of partitioned tables dated outside `[start, end]`, and the
 * per-date marts and RFM history of those days. Used when one run owns the whole world (the local
 * `npm start`): after a rerun with a shorter horizon or a later start, days the new world does
 * not have must not linger in the marts. Never use it for a date-range run, which owns only its
 * own days.
 *
 * On a fresh folder there is nothing to drop, and the cost is what matters: the tables are listed
 * at once, and the deletes compare the partition column itself with the range's bounds (for a
 * TIMESTAMP, midnight UTC of the first day and of the day after the last), which a column scan
 * answers without converting every row to a date.
 */
export async function pruneOutsideRange(
  backends: { readonly lake: Lake; readonly warehouse: Warehouse },
  range: { readonly start: string; readonly end: string },
): Promise<{ files: number }> {
  const partitioned = RAW_TABLE_LIST.filter((t) => t.partitionColumn);
  const listings = await Promise.all(
    partitioned.map((t) => backends.lake.list(`raw/${t.name}/dt=`)),
  );
  let files = 0;
  for (const object of listings.flat()) {
    const day = parseLakePath(object.path)?.day;
    if (day && (day < range.start || day > range.end)) {
      files += await backends.lake.deletePrefix(object.path);
    }
  }
  const deletes = partitioned.map((table) => {
    const column = table.partitionColumn!;
    const isTimestamp = table.columns.find((c) => c.name === column)?.type === "TIMESTAMP";
    const outside = isTimestamp
      ? `${column} < timestamp(@range_start) or ${column} >= timestamp(date_add(@range_end, interval 1 day))`
      : `${column} < @range_start or ${column} > @range_end`;
    return `delete from raw.${table.name} where ${outside}`;
  });
  const params = { range_start: { date: range.start }, range_end: { date: range.end } };
  // One script, so it is translated once.
  await backends.warehouse.execute(deletes.join(";\n"), params);

  // The per-date outputs of earlier runs: a day's KPI row or RFM snapshot outside the new world
  // must go too, and the segment history is rewound to the new end (history is applied in date
  // order, so a rerun with an earlier end would otherwise be refused).
  for (const mart of MARTS) {
    if (mart.materialization.kind !== "partition" || !mart.partitioning) continue;
    const column = mart.partitioning.column;
    await ignoringMissingTable(() =>
      backends.warehouse.execute(
        `delete from ${mart.dataset}.${mart.name} where ${column} < @range_start or ${column} > @range_end`,
        params,
      ),
    );
  }
  await ignoringMissingTable(() =>
    backends.warehouse.execute(
      [
        "delete from snapshots.rfm_segment_history where valid_from < @range_start or valid_from > @range_end",
        "update snapshots.rfm_segment_history set valid_to = null, is_current = true where valid_to > @range_end",
      ].join(";\n"),
      params,
    ),
  );
  return { files };
}

/** Runs `work`, treating a table that does not exist yet (a first run) as nothing to prune. */
async function ignoringMissingTable(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isMissingTable(error)) throw error;
  }
}
