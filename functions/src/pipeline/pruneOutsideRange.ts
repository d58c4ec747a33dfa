import { RAW_TABLE_LIST } from "../contract";
import type { Lake, Warehouse } from "../backends/types";
import { parseLakePath } from "./lakePaths";

/**
 * Drops lake files and warehouse rows of partitioned tables dated outside `[start, end]`. Used when
 * one run owns the whole world (the local `npm start`): after a rerun with a shorter horizon or a
 * later start, days the new world does not have must not linger in the marts. Never use it for a
 * date-range run, which owns only its own days.
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
  // One script, so it is translated once.
  await backends.warehouse.execute(deletes.join(";\n"), {
    range_start: { date: range.start },
    range_end: { date: range.end },
  });
  return { files };
}
