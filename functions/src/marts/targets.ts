import type { MaterializeTarget } from "../backends/types";
import type { MartDeclaration } from "./catalog";

/** True for a real calendar day written YYYY-MM-DD (2024-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/**
 * Where a declaration writes for one run date: the whole table, or that date's partition (the
 * days `fromDate`..`runDate` for a mart whose query is a date spine).
 */
export function martTarget(
  decl: MartDeclaration,
  runDate: string,
  fromDate: string = runDate,
): MaterializeTarget {
  if (decl.materialization.kind === "table") return { dataset: decl.dataset, table: decl.name };
  if (!decl.partitioning)
    throw new Error(`Mart ${decl.name} is per-date but declares no partitioning`);
  const from = decl.materialization.fromParameter ? fromDate : runDate;
  return {
    dataset: decl.dataset,
    table: decl.name,
    partition: { column: decl.partitioning.column, date: runDate, from },
  };
}
