/**
 * The nightly chain, defined once: generate and load the data day, run every data-quality check,
 * refresh the marts in dependency order, take the RFM snapshot and fit the CLV models where the
 * marts need them, run the significance tests, record the run. The cloud workflow's steps, the
 * local runner and the day-by-day replay are all read from this list (SPEC: "The nightly chain
 * is one definition"), so their orders cannot drift.
 */
import { listChecks } from "../checks";
import {
  martDependencies,
  martsInDependencyOrder,
  sqlMartReferences,
  type MartDeclaration,
} from "../marts/catalog";
import { readSql } from "../sql/sqlFiles";
import { STAT_TEST_INPUTS } from "../statTests/inputs";

/** The marts the RFM snapshot step writes (the `refreshRfmSnapshot` function), not a query. */
export const SNAPSHOT_MARTS = ["rfm_segment_map", "rfm_daily"] as const;

/** The tables the significance-test step writes (the `refreshStatTests` function), not a query. */
export const STATS_TABLES = ["dm_stat_tests"] as const;

/** The marts the significance-test step reads, found from its input SQL like a mart's. */
export function statTestDependencies(): string[] {
  return [...new Set(STAT_TEST_INPUTS.flatMap((file) => sqlMartReferences(readSql(file))))].sort();
}

/** The tables the CLV step writes from code (`functions/src/clv/clvTables.ts`). */
export const CLV_STEP_TABLES = ["clv_daily", "clv_fit"] as const;

export type ChainStep =
  /** `generateData` for the data day: lake files and raw partitions. */
  | { readonly kind: "generate"; readonly name: "generateData" }
  /** One data-quality check; the chain stops at the first violation. */
  | { readonly kind: "check"; readonly name: string }
  /** One mart refreshed by its scheduled query (cloud) or `materialize` (local). */
  | { readonly kind: "mart"; readonly name: string; readonly dependsOn: readonly string[] }
  /** `refreshRfmSnapshot` for the data day: segment map, daily snapshot, segment history. */
  | {
      readonly kind: "snapshot";
      readonly name: "refreshRfmSnapshot";
      readonly produces: readonly string[];
    }
  /**
   * `refreshStatTests` for the data day: every significance test, computed in TypeScript from the
   * marts it reads (`dependsOn`) and written to `marts.dm_stat_tests`.
   */
  | {
      readonly kind: "stats";
      readonly name: "refreshStatTests";
      readonly produces: readonly string[];
      readonly dependsOn: readonly string[];
    }
  /**
   * `refreshClvSnapshot` for the data day: BG/NBD and Gamma-Gamma fitted on the purchase
   * histories, predictions per buyer (`snapshots.clv_daily`) and the fit (`snapshots.clv_fit`).
   */
  | {
      readonly kind: "clv";
      readonly name: "refreshClvSnapshot";
      readonly produces: readonly string[];
    }
  /** One row in `snapshots.pipeline_runs`. */
  | { readonly kind: "record"; readonly name: "pipeline_runs" };

/**
 * The chain's steps in the order they run. The snapshot step stands where the first mart it
 * produces would stand in dependency order, so the marts that read the snapshot come after it;
 * the CLV step follows it (the predictions are refreshed with the snapshot they sit beside), so
 * the marts that read both come after both. The significance tests come after every mart: they
 * read marts and no mart reads them.
 */
export function nightlyChain(
  marts: readonly MartDeclaration[] = martsInDependencyOrder(),
  checks: readonly { name: string }[] = listChecks(),
  dependencies: (decl: MartDeclaration) => string[] = martDependencies,
): ChainStep[] {
  const steps: ChainStep[] = [{ kind: "generate", name: "generateData" }];
  for (const check of checks) steps.push({ kind: "check", name: check.name });
  let snapshotPlaced = false;
  const placeSnapshot = () => {
    steps.push({ kind: "snapshot", name: "refreshRfmSnapshot", produces: [...SNAPSHOT_MARTS] });
    steps.push({ kind: "clv", name: "refreshClvSnapshot", produces: [...CLV_STEP_TABLES] });
    snapshotPlaced = true;
  };
  for (const decl of marts) {
    if ((SNAPSHOT_MARTS as readonly string[]).includes(decl.name)) {
      if (!snapshotPlaced) placeSnapshot();
      continue;
    }
    steps.push({ kind: "mart", name: decl.name, dependsOn: dependencies(decl) });
  }
  if (!snapshotPlaced) placeSnapshot();
  steps.push({
    kind: "stats",
    name: "refreshStatTests",
    produces: [...STATS_TABLES],
    dependsOn: statTestDependencies(),
  });
  steps.push({ kind: "record", name: "pipeline_runs" });
  return steps;
}
