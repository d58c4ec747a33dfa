import type { RawTableName } from "../contract";
import { sqlRawReferences } from "../marts/catalog";
import type { CheckDefinition } from "./contractChecks";

/**
 * Which data-quality checks apply to a source that lacks some raw tables (an orders file has no
 * sessions, events, promotions or subscriptions: `raw.world_manifest.absent_tables`). A check
 * that reads an absent table is skipped and says so, rather than passing on an empty table as if
 * it had checked something (the funnel order of no events) or failing on what the source never
 * had (every user's subscription row). A check can also need a table it does not read, when what
 * it asserts is a rule of the synthetic shop's model; those are declared here, with the reason.
 */
export const CHECK_SOURCE_NEEDS: Readonly<
  Record<string, { readonly requires: readonly RawTableName[]; readonly why: string }>
> = {
  order_item_discount: {
    requires: ["promo_calendar"],
    why:
      "it checks the generator's pricing: every line at its product's list price, discounted " +
      "by its promotion. An orders file has no promotions and no list price (a product's price " +
      "is the median of what its lines paid, and a line's price is what that customer paid); " +
      "order_item_line_amount still checks every line's arithmetic",
  },
};

/** A check that does not apply to the source: its name and the tables it misses. */
export interface SkippedCheck {
  readonly name: string;
  readonly description: string;
  readonly missing: readonly RawTableName[];
}

/** Splits `checks` into those to run and those the source cannot answer (`absent` tables). */
export function checksForSource<T extends Pick<CheckDefinition, "name" | "sql" | "description">>(
  checks: readonly T[],
  absent: readonly RawTableName[],
): { run: T[]; skipped: SkippedCheck[] } {
  const run: T[] = [];
  const skipped: SkippedCheck[] = [];
  for (const check of checks) {
    const needs = new Set<string>([
      ...sqlRawReferences(check.sql),
      ...(CHECK_SOURCE_NEEDS[check.name]?.requires ?? []),
    ]);
    const missing = absent.filter((t) => needs.has(t)).sort();
    if (missing.length === 0) run.push(check);
    else skipped.push({ name: check.name, description: check.description, missing });
  }
  return { run, skipped };
}
