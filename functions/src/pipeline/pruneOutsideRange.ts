import { RAW_TABLE_LIST } from "../contract";
import type { Lake, Warehouse } from "../backends/types";
import { parseLakePath } from "./lakePaths";

/**
 * Drops lake files and warehouse rows of partitioned tables dated outside `[start, end]`. Used when
 * one run owns the whole world (the local `npm start`): after a rerun with a shorter horizon or a
 * later start, days the new world does not have must not linger in the marts. Never use it for a
 * date-range run, which owns only its own days.
 */
export async function pruneOutsideRange(
  backends: { readonly lake: Lake; readonly warehouse: Warehouse },
  range: { readonly start: string; readonly end: string },
): Promise<{ files: number }> {
  let files = 0;
  const deletes: string[] = [];
  for (const table of RAW_TABLE_LIST) {
    if (!table.partitionColumn) continue;
    for (const object of await backends.lake.list(`raw/${table.name}/dt=`)) {
      const day = parseLakePath(object.path)?.day;
      if (day && (day < range.start || day > range.end)) {
        files += await backends.lake.deletePrefix(object.path);
      }
    }
    const day = `date(${table.partitionColumn})`;
    deletes.push(
      `delete from raw.${table.name} where ${day} < @range_start or ${day} > @range_end`,
    );
  }
  // One script, so it is translated once.
  await backends.warehouse.execute(deletes.join(";\n"), {
    range_start: { date: range.start },
    range_end: { date: range.end },
  });
  return { files };
}
