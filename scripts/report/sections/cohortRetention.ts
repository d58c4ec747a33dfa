import { formatInteger, formatPercent } from "../format";
import { table, type Column, type Section } from "../html";
import { heatColor } from "../svg";
import { martRows, num, text, type SectionContext } from "./common";

/** One monthly cohort as a heatmap row: retention per period offset. */
export interface CohortRow {
  readonly cohort: string;
  readonly users: number | null;
  readonly rates: Map<number, number | null>;
  readonly retention90d: number | null;
  readonly retention180d: number | null;
}

/** Pivots the mart's long rows (cohort x offset) into one row per cohort, oldest first. */
export function pivotCohorts(rows: readonly Record<string, unknown>[]): {
  cohorts: CohortRow[];
  offsets: number[];
} {
  const cohorts = new Map<string, CohortRow>();
  const offsets = new Set<number>();
  for (const r of rows) {
    const cohort = text(r, "cohort_start");
    const offset = num(r, "period_offset");
    if (offset === null) continue;
    offsets.add(offset);
    let entry = cohorts.get(cohort);
    if (!entry) {
      entry = {
        cohort,
        users: num(r, "cohort_users"),
        rates: new Map(),
        retention90d: num(r, "retention_90d"),
        retention180d: num(r, "retention_180d"),
      };
      cohorts.set(cohort, entry);
    }
    entry.rates.set(offset, num(r, "retention_rate"));
  }
  return {
    cohorts: [...cohorts.values()].sort((a, b) => a.cohort.localeCompare(b.cohort)),
    offsets: [...offsets].sort((a, b) => a - b),
  };
}

/** Monthly signup cohorts: the share active in each 30-day period after signup. */
export async function cohortRetentionSection(context: SectionContext): Promise<Section> {
  const rows = await martRows(
    context,
    "select cohort_start, period_offset, cohort_users, retention_rate, retention_90d, retention_180d\n" +
      "from marts.dm_cohort_retention\nwhere cohort_granularity = 'month'",
  );
  const { cohorts, offsets } = pivotCohorts(rows);
  // Period 0 holds the signup day itself, so it is near 100%; shade against the later periods.
  const later = cohorts.flatMap((c) =>
    [...c.rates].filter(([o, v]) => o > 0 && v !== null).map(([, v]) => v!),
  );
  const shadeMax = Math.max(0.01, ...later);
  const columns: Column<CohortRow>[] = [
    { header: "Cohort", key: "cohort", text: (c) => c.cohort.slice(0, 7) },
    { header: "Users", key: "users", numeric: true, text: (c) => formatInteger(c.users) },
    ...offsets.map((o): Column<CohortRow> => ({
      header: `M${o}`,
      key: `m${o}`,
      numeric: true,
      text: (c) => (c.rates.has(o) ? formatPercent(c.rates.get(o), 0) : ""),
      background: (c) => (o > 0 && c.rates.has(o) ? heatColor(c.rates.get(o)!, shadeMax) : null),
    })),
    {
      header: "Ret. 90d",
      key: "retention_90d",
      numeric: true,
      text: (c) => formatPercent(c.retention90d),
    },
    {
      header: "Ret. 180d",
      key: "retention_180d",
      numeric: true,
      text: (c) => formatPercent(c.retention180d),
    },
  ];
  return {
    id: "cohort-retention",
    title: "Cohort retention",
    what: "Of each month's signups, the share with a session in period Mk (days 30k..30k+29 after their own signup); darker is higher. Blank periods are not yet observed.",
    grain: "one row per monthly signup cohort x period offset (pivoted: offsets as columns)",
    sources: ["marts.dm_cohort_retention"],
    rows: cohorts.length,
    body: table(columns, cohorts, {
      className: "heatmap",
      rowData: (c) => ({ cohort: c.cohort }),
    }),
  };
}
