/**
 * The local BI: one self-contained HTML file built from the marts, for the analyst who reads the
 * report on a laptop instead of Looker Studio. It reads only `marts.*` tables, through
 * `warehouse.query` in BigQuery SQL, so it works on the DuckDB warehouse `npm start` builds and
 * on BigQuery alike. The page has inline CSS and inline SVG charts (Vega-Lite, rendered when the
 * page is built), no script and no external asset: it opens from disk with no network.
 *
 * A section is one module under `sections/` (its queries, charts and tables) and one line in
 * `SECTION_BUILDERS`; its builder lists its queries, which `reportQueryTexts` gathers.
 *
 * The data says what its source lacks (the world manifest): on an orders file the sections whose
 * marts need sessions, promotions or campaigns say "not in this source" in their place.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Warehouse } from "../../functions/src/backends/types";
import { isMissingTable } from "../../functions/src/backends/missingTable";
import { forEachLimited } from "../../functions/src/forEachLimited";
import { chainCoverage } from "../../functions/src/marts/sourceCoverage";
import { ChartSet } from "./charts/render";
import { FRESHNESS_QUERIES, freshnessLine, readFreshness } from "./freshness";
import { renderPage, type Section } from "./html";
import { acquisitionQualitySection } from "./sections/acquisitionQuality";
import { campaignSection } from "./sections/campaign";
import { categoryPerformanceSection } from "./sections/categoryPerformance";
import { churnRiskSection } from "./sections/churnRisk";
import { clvSegmentsSection } from "./sections/clvSegments";
import { cohortRetentionSection } from "./sections/cohortRetention";
import {
  FULL_COVERAGE,
  type ReportCoverage,
  type SectionBuilder,
  type SectionContext,
} from "./sections/common";
import { funnelSection } from "./sections/funnel";
import { kpiOverviewSection } from "./sections/kpiOverview";
import { ltvDistributionSection } from "./sections/ltvDistribution";
import { promoEffectSection } from "./sections/promoEffect";
import { rfmSegmentsSection } from "./sections/rfmSegments";
import { tradeoffSection } from "./sections/tradeoff";

export interface ReportOptions {
  /** The page title; default "E-commerce analytics report". */
  readonly title?: string;
  /**
   * Work to run once the report has read everything it needs from the warehouse, while the
   * charts are drawn (a process of its own on one core): `npm start` checkpoints the warehouse
   * there. The report is written when both are done, and not if this fails.
   */
  readonly whileChartsRender?: () => Promise<unknown>;
  /**
   * The chart renderers to draw with, started earlier by the caller (`npm start` starts them
   * before it grows: see `buildInStaging`); closed here like renderers of the report's own.
   */
  readonly charts?: ChartSet;
}

export interface ReportResult {
  /** Absolute path of the written file. */
  readonly file: string;
  readonly bytes: number;
  /** Section ids in page order (also the page's anchors). */
  readonly sections: string[];
}

/**
 * The sections in page order, around the questions: the daily pulse, then the trade-off the stack
 * exists to measure, then what explains it (retention, funnel, value concentration, promotions),
 * then what to act on (categories, segments, churn, acquisition).
 */
export const SECTION_BUILDERS: readonly SectionBuilder[] = [
  kpiOverviewSection,
  tradeoffSection,
  cohortRetentionSection,
  funnelSection,
  ltvDistributionSection,
  promoEffectSection,
  categoryPerformanceSection,
  rfmSegmentsSection,
  clvSegmentsSection,
  churnRiskSection,
  campaignSection,
  acquisitionQualitySection,
];

/** Every mart the report reads. */
export const REPORT_MARTS = [
  "dm_kpi_daily",
  "dm_tradeoff_summary",
  "dm_ltv_distribution",
  "dm_cohort_retention",
  "dm_funnel_daily",
  "dm_promo_effect",
  "dm_category_performance",
  "dm_rfm_segments",
  "dm_clv_segments",
  "dm_churn_risk",
  "dm_campaign_summary",
  "dm_stat_tests",
  "dm_acquisition_quality",
  "dm_user_purchase_summary",
] as const;

/** The marts the report needs are not in the warehouse (yet). Names each missing one. */
export class MissingMartsError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `The warehouse has no ${missing.map((m) => `marts.${m}`).join(", ")}: run npm start first (it builds the marts).`,
    );
    this.name = "MissingMartsError";
  }
}

/** What the warehouse's source lacks, from its world manifest (none without a manifest). */
export async function readCoverage(warehouse: Warehouse): Promise<ReportCoverage> {
  const manifest = await warehouse.readManifest();
  if (!manifest) return FULL_COVERAGE;
  const coverage = chainCoverage(manifest.absentTables);
  return {
    source: manifest.source,
    absentTables: manifest.absentTables,
    missing: (mart) => {
      const c = coverage.get(mart);
      return c?.status === "not in this source" ? c.missing : null;
    },
  };
}

/** The probe that tells whether a mart is there. */
const presenceSql = (mart: string) => `select 1 as present from marts.${mart} limit 1`;

/**
 * Every BigQuery text a report sends through the warehouse, whatever the source: the marts'
 * probes, each section's queries and the freshness line's. A local run translates them to DuckDB
 * ahead (`scripts/laterStages.ts`), while DuckDB generates the shop, and `npm ci` keeps their
 * translations: a first run that translated them in its report stage loaded the translator there
 * and took 1.41-1.50 s against 0.86-0.96 s for `npm run report` on the default world (four
 * alternating runs). A test writes a report after these were translated and sees no other
 * translation.
 */
export function reportQueryTexts(): string[] {
  return [
    ...REPORT_MARTS.map(presenceSql),
    ...SECTION_BUILDERS.flatMap((build) => build.queries),
    ...FRESHNESS_QUERIES,
  ];
}

/**
 * Checks every mart the report reads is there, so a missing one fails before any work; marts the
 * source cannot build are not expected.
 */
export async function assertMartsExist(
  warehouse: Warehouse,
  coverage: ReportCoverage = FULL_COVERAGE,
): Promise<void> {
  const expected = REPORT_MARTS.filter((m) => coverage.missing(m) === null);
  // Asked all at once: one after the other, the 14 probes took 62 ms of `npm start`'s report.
  const present = await forEachLimited(expected, expected.length, async (mart) => {
    try {
      await warehouse.query(presenceSql(mart));
      return true;
    } catch (error) {
      if (!isMissingTable(error)) throw error;
      return false;
    }
  });
  const missing = expected.filter((_, i) => !present[i]);
  if (missing.length > 0) throw new MissingMartsError(missing);
}

/**
 * Builds the report from the marts and writes it to `outFile` (parent folders created; the file
 * is replaced whole, through a temporary file, so a failed build never leaves half a page).
 */
export async function writeReport(
  warehouse: Warehouse,
  outFile: string,
  options: ReportOptions = {},
): Promise<ReportResult> {
  // The chart renderers start first: loading vega passes while the marts are read.
  const charts = options.charts ?? new ChartSet();
  try {
    const coverage = await readCoverage(warehouse);
    await assertMartsExist(warehouse, coverage);
    return await buildReport(warehouse, charts, coverage, outFile, options);
  } finally {
    charts.close();
  }
}

async function buildReport(
  warehouse: Warehouse,
  charts: ChartSet,
  coverage: Awaited<ReturnType<typeof readCoverage>>,
  outFile: string,
  options: ReportOptions,
): Promise<ReportResult> {
  const context: SectionContext = { warehouse, charts, coverage };
  const sections: Section[] = [];
  for (const build of SECTION_BUILDERS) sections.push(await build(context));
  const freshness = await readFreshness(warehouse);
  const page = renderPage({
    title: options.title ?? "E-commerce analytics report",
    subtitle:
      "Question: do the users who buy within 14 days of signup also stay and spend over 180 days?",
    freshness: freshnessLine(freshness),
    sections,
    footer:
      `Built ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC from the ${warehouse.kind} warehouse's marts. ` +
      "Amounts are in the shop's currency; rates count only users whose window is observed. " +
      "Hover a mark for its values.",
  });
  const [html] = await Promise.all([charts.render(page), options.whileChartsRender?.()]);
  const file = resolve(outFile);
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, html, "utf8");
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
  return { file, bytes: Buffer.byteLength(html, "utf8"), sections: sections.map((s) => s.id) };
}
