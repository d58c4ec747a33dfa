import type { Warehouse } from "../backends/types";
import { renderMartParameters } from "../marts/martParameters";
import { isCalendarDate } from "../marts/targets";
import { readSql } from "../sql/sqlFiles";
import { CAMPAIGN_INPUTS_SQL, campaignTestRows, type CampaignInput } from "./campaignTests";
import { DM_STAT_TESTS } from "./statTestsTable";
import type { StatTestRow } from "./testRows";
import { TRADEOFF_INPUTS_SQL, tradeoffTestRows, type TradeoffInput } from "./tradeoffTests";

/** A bad run date, refused before the warehouse is read. */
export class StatTestsError extends Error {}

export interface StatTestsSummary {
  readonly runDate: string;
  /** Tests written. */
  readonly tests: number;
  /** Tests whose verdict is significant (or a failed guardrail). */
  readonly flagged: number;
}

/**
 * The significance-test step of the nightly chain: reads the tested groups' values from the marts
 * (BigQuery-dialect SQL through the warehouse, with the mart parameters rendered in), runs every
 * test in TypeScript (`functions/src/stats`, equal to SciPy; BigQuery has no t or normal
 * distribution to compute a p-value with), and replaces `marts.dm_stat_tests` with one row per
 * test. Runs after the marts it reads, on DuckDB and BigQuery alike.
 */
export async function refreshStatTests(
  warehouse: Warehouse,
  runDate: string,
): Promise<StatTestsSummary> {
  const inputs = await readStatTestInputs(warehouse, runDate);
  return writeStatTests(warehouse, runDate, statTestRows(inputs));
}

/** What the tests read from the marts: the tested groups' values, as the inputs' SQL returns them. */
export interface StatTestInputs {
  readonly runDate: string;
  readonly tradeoff: TradeoffInput[];
  readonly campaigns: CampaignInput[];
}

/** The step's reads: the inputs' SQL through the warehouse, with the mart parameters rendered. */
export async function readStatTestInputs(
  warehouse: Warehouse,
  runDate: string,
): Promise<StatTestInputs> {
  if (!isCalendarDate(runDate))
    throw new StatTestsError(`Run date "${runDate}" is not a YYYY-MM-DD date`);
  const texts = statTestInputTexts();
  const tradeoff = await warehouse.query<TradeoffInput>(texts.tradeoff);
  const campaigns = await warehouse.query<CampaignInput>(texts.campaigns);
  return { runDate, tradeoff, campaigns };
}

/** The inputs' queries, with the mart parameters rendered. */
export function statTestInputTexts(): { tradeoff: string; campaigns: string } {
  return {
    tradeoff: renderMartParameters(readSql(TRADEOFF_INPUTS_SQL)),
    campaigns: renderMartParameters(readSql(CAMPAIGN_INPUTS_SQL)),
  };
}

/**
 * Every test's row, computed from the inputs alone (plain data in and out: the local runner
 * computes them in a worker thread beside the marts, `marts/offThread.ts`).
 */
export function statTestRows(inputs: StatTestInputs): StatTestRow[] {
  return [
    ...tradeoffTestRows(inputs.runDate, inputs.tradeoff),
    ...campaignTestRows(inputs.runDate, inputs.campaigns),
  ];
}

/** Replaces `marts.dm_stat_tests` with the rows and counts the flagged ones. */
export async function writeStatTests(
  warehouse: Warehouse,
  runDate: string,
  rows: readonly StatTestRow[],
): Promise<StatTestsSummary> {
  await warehouse.writeRows(DM_STAT_TESTS, rows);
  return {
    runDate,
    tests: rows.length,
    flagged: rows.filter((r) => r.verdict === "significant" || r.verdict === "guardrail failed")
      .length,
  };
}
