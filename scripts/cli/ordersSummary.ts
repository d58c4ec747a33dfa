import { RAW_TABLE_NAMES } from "../../functions/src/contract";
import type { MartRun } from "../../functions/src/marts/runMarts";
import { CLEANING_RULES } from "../../functions/src/orders/cleanRows";
import type { OrdersLoadSummary } from "../../functions/src/orders/loadOrdersFile";

const count = (n: number) => n.toLocaleString("en-US");

/**
 * What the loader did with an orders file: rows read, kept, and dropped per cleaning rule (every
 * rule listed, in the order they are tried), what was derived, what the source does not have.
 */
export function formatOrdersLoad(summary: OrdersLoadSummary): string {
  const dropped = CLEANING_RULES.reduce((n, r) => n + summary.dropped[r], 0);
  const lines = [
    `Orders file ${summary.file}: ${summary.firstDay} to ${summary.lastDay}`,
    `  rows read   ${count(summary.rowsRead).padStart(10)}`,
    `  kept        ${count(summary.rowsKept).padStart(10)}`,
    `  dropped     ${count(dropped).padStart(10)}`,
    ...CLEANING_RULES.map((r) => `    ${r.padEnd(20)}${count(summary.dropped[r]).padStart(8)}`),
  ];
  if (summary.channelDefaulted > 0)
    lines.push(
      `  ${count(summary.channelDefaulted)} kept row(s) had a channel other than Organic, Paid or Referral and took the default`,
    );
  lines.push(
    "Derived raw tables",
    ...RAW_TABLE_NAMES.map((t) =>
      summary.absentTables.includes(t)
        ? `  ${t.padEnd(18)}${"not in this source".padStart(20)}`
        : `  ${t.padEnd(18)}${count(summary.tables[t]).padStart(20)}`,
    ),
  );
  return lines.join("\n");
}

/** The marts the source cannot build and the columns it leaves null, as the runner reported. */
export function formatCoverage(runs: readonly MartRun[]): string {
  const skipped = runs.filter((r) => r.skipped !== undefined);
  const partial = runs.filter((r) => (r.nullColumns?.length ?? 0) > 0);
  const lines = ["Marts"];
  for (const r of runs.filter((r) => r.skipped === undefined))
    lines.push(`  ${r.name.padEnd(28)}${count(r.rows).padStart(10)} rows`);
  for (const r of skipped) lines.push(`  ${r.name.padEnd(28)}  ${r.skipped}`);
  for (const r of partial)
    lines.push(`  ${r.name}: not in this source, left null: ${r.nullColumns!.join(", ")}`);
  return lines.join("\n");
}
