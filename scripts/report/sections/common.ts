import type { Warehouse } from "../../../functions/src/backends/types";
import type { RawTableName } from "../../../functions/src/contract";
import type { ChartSet } from "../charts/render";
import { toNumber, toText } from "../format";
import { paragraph, type Column, type Section } from "../html";

/** A mart row as the warehouse returns it. */
export type Row = Record<string, unknown>;

/**
 * What the data's source lacks (`raw.world_manifest`): an orders file has no sessions, events,
 * promotions or subscriptions, so some marts are not built and some columns are null.
 */
export interface ReportCoverage {
  /** `synthetic` (the generated shop) or `orders` (a mapped file). */
  readonly source: "synthetic" | "orders";
  readonly absentTables: readonly RawTableName[];
  /** The raw tables a mart misses, or null when it is built from this source. */
  missing(mart: string): readonly RawTableName[] | null;
}

/** The coverage of data that lacks nothing (a warehouse without a manifest is read as such). */
export const FULL_COVERAGE: ReportCoverage = {
  source: "synthetic",
  absentTables: [],
  missing: () => null,
};

/** What every section builder receives. */
export interface SectionContext {
  readonly warehouse: Warehouse;
  /** Where a section adds its charts; `charts.add` returns the markup that stands for one. */
  readonly charts: ChartSet;
  readonly coverage: ReportCoverage;
}

/**
 * The section a source cannot fill, in its place in the page: says what it would show and which
 * tables the source lacks, instead of charts of zeros. Null when every mart is there.
 */
export function notInSourceSection(
  context: SectionContext,
  section: Pick<Section, "id" | "title" | "what" | "grain">,
  marts: readonly string[],
): Section | null {
  const missing = [...new Set(marts.flatMap((m) => context.coverage.missing(m) ?? []))].sort();
  if (missing.length === 0) return null;
  return {
    ...section,
    sources: marts.map((m) => `marts.${m}`),
    rows: 1,
    body: paragraph(
      `Not in this source: the data has no ${missing.join(", ")} (see the world manifest), so this section has nothing to show rather than zeros.`,
      "note",
    ),
  };
}

/**
 * Builds one section. `queries` lists every text the section sends through `martRows`, so that a
 * run can translate them to DuckDB before the report starts (`reportQueryTexts`).
 */
export interface SectionBuilder {
  (context: SectionContext): Promise<Section>;
  readonly queries: readonly string[];
}

/** Runs one BigQuery-dialect query against the marts. */
export function martRows(context: SectionContext, sql: string): Promise<Row[]> {
  return context.warehouse.query<Row>(sql);
}

/** A row's numeric field (null when missing). */
export const num = (row: Row, key: string): number | null => toNumber(row[key]);

/** A row's text field ("" when missing). */
export const text = (row: Row, key: string): string => toText(row[key]);

/**
 * Sorts by a known order (for example High, Medium, Low, Sparse), unknown values after it in
 * alphabetical order, so tables read the same way on every run.
 */
export function byKnownOrder<T>(
  rows: readonly T[],
  key: (row: T) => string,
  order: readonly string[],
): T[] {
  const rank = (v: string) => {
    const i = order.indexOf(v);
    return i === -1 ? order.length : i;
  };
  return [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return rank(ka) - rank(kb) || ka.localeCompare(kb);
  });
}

/** A null segment label (for example users whose consistency tier is not yet observed). */
export const segmentLabel = (value: string): string => (value === "" ? "(not yet known)" : value);

export const USER_TYPES = ["All", "A", "B", "C", "D"] as const;
export const CONSISTENCY_TIERS = ["All", "High", "Medium", "Low", "Sparse"] as const;

/** A right-aligned column showing one numeric field of the mart row, formatted. */
export function numberColumn(
  header: string,
  key: string,
  format: (value: unknown) => string,
): Column<Row> {
  return { header, key, numeric: true, text: (r) => format(r[key]) };
}

/**
 * The labelled groups a section shows: the known ones in their order, then any value the mart
 * holds that the report does not know yet, labelled by itself, so a new group is never dropped.
 */
export function knownThenUnseen(
  known: readonly { readonly key: string; readonly label: string }[],
  values: readonly string[],
): { key: string; label: string }[] {
  const keys = new Set(known.map((k) => k.key));
  const unseen = [...new Set(values)].filter((v) => !keys.has(v));
  return [...known, ...unseen.map((key) => ({ key, label: key }))];
}
