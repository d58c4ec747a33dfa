import { nightlyChain } from "../chain/nightlyChain";
import type { RawTableName } from "../contract";
import { MARTS, martDependencies, martRawDependencies, type MartDeclaration } from "./catalog";

/**
 * What each mart can say when the data lacks some raw tables. An orders file has no sessions,
 * events, promotions or subscriptions (`raw.world_manifest.absent_tables`); a mart computed
 * anyway would show zeros (nobody retained, no funnel, no promo revenue) where the truth is
 * "not in this source". So, per mart and per absent table, one of:
 *
 * - the mart is **not in this source**: it is not built, and the runner, the report and
 *   `docs/orders-loader.md` say so. By default a mart needs every raw table it reads, directly
 *   or through the marts it reads;
 * - some of its **columns** are not in this source: the mart is built and those columns are
 *   null (`nullColumnsSql`), never zero. Declared below, with the reason, for the marts whose
 *   rows stand on the orders alone.
 *
 * A mart added later needs nothing here: it is left out wherever a table it reads is absent,
 * until someone declares which of its columns can do without it.
 */
export interface SourceNeeds {
  /** Raw tables the mart cannot do without, beyond what it reads (its question needs them). */
  readonly requires?: readonly RawTableName[];
  /** Columns computed from a raw table the mart can do without: null when it is absent. */
  readonly columnsFrom?: Partial<Record<RawTableName, readonly string[]>>;
}

/** The columns of `dm_user_purchase_summary` that need the signup visit (a session). */
const CONVERSION_COLUMNS = ["days_to_first_purchase", "is_converted_14d", "is_converted_30d"];

export const MART_SOURCE_NEEDS: Readonly<Record<string, SourceNeeds>> = {
  dm_user_purchase_summary: {
    columnsFrom: {
      // The signup is the first visit; without visits a user's signup is their first order, so
      // every user "converts" on day 0 by construction.
      sessions: [...CONVERSION_COLUMNS, "is_retained_90d", "is_retained_180d"],
      // Whether an order or a signup fell in a promotion needs the promotion calendar.
      promo_calendar: [
        "is_promo_signup",
        "signup_promo_discount_rate",
        "first_order_is_promo",
        "first_order_discount_rate",
      ],
      subscriptions: [
        "subscription_plan",
        "subscription_status",
        "subscription_monthly_fee",
        "is_paid_subscriber",
      ],
    },
  },
  dm_behavior_consistency: {
    // One row per user stays (the LTV marts join it for the tier, which becomes 'Unknown').
    columnsFrom: {
      sessions: [
        "is_window_observed",
        "active_days_28d",
        "active_weeks_28d",
        "mean_gap_days",
        "gap_cv",
        "consistency_tier",
      ],
    },
  },
  dm_category_performance: { columnsFrom: { promo_calendar: ["promo_revenue_share"] } },
  dm_kpi_daily: {
    columnsFrom: {
      sessions: ["dau", "wau", "mau", "stickiness", "sessions", "conversion_rate"],
    },
  },
  dm_churn_risk: { columnsFrom: { sessions: ["last_session_date", "days_since_last_session"] } },
  dm_acquisition_quality: { columnsFrom: { sessions: ["conversion_14d"] } },
  // The questions of these two are about visits and promotions; their rows would be zeros.
  dm_tradeoff_summary: { requires: ["sessions"] },
  dm_promo_effect: { requires: ["promo_calendar", "sessions"] },
};

/** What a mart is, given the raw tables the source lacks. */
export type MartCoverage =
  | { readonly status: "built"; readonly nullColumns: readonly string[] }
  | { readonly status: "not in this source"; readonly missing: readonly RawTableName[] };

/**
 * The coverage of every mart for a source lacking `absent`: which are not built (with the
 * tables they miss, their own or those of a mart they read) and which columns of the others are
 * null. With nothing absent every mart is built whole.
 */
export function martCoverage(
  absent: readonly RawTableName[],
  marts: readonly MartDeclaration[] = MARTS,
  rawReads: (decl: MartDeclaration) => string[] = martRawDependencies,
  martReads: (decl: MartDeclaration) => string[] = martDependencies,
  needs: Readonly<Record<string, SourceNeeds>> = MART_SOURCE_NEEDS,
): Map<string, MartCoverage> {
  const required = new Map<string, Set<RawTableName>>();
  const requiredOf = (decl: MartDeclaration, path: readonly string[] = []): Set<RawTableName> => {
    const known = required.get(decl.name);
    if (known) return known;
    if (path.includes(decl.name))
      throw new Error(`Mart cycle: ${[...path, decl.name].join(" -> ")}`);
    const own = needs[decl.name] ?? {};
    const optional = new Set(Object.keys(own.columnsFrom ?? {}));
    const tables = new Set<RawTableName>(own.requires ?? []);
    for (const t of rawReads(decl)) if (!optional.has(t)) tables.add(t as RawTableName);
    for (const name of martReads(decl)) {
      const upstream = marts.find((m) => m.name === name);
      if (upstream) for (const t of requiredOf(upstream, [...path, decl.name])) tables.add(t);
    }
    required.set(decl.name, tables);
    return tables;
  };
  const coverage = new Map<string, MartCoverage>();
  for (const decl of marts) {
    const missing = [...requiredOf(decl)].filter((t) => absent.includes(t)).sort();
    if (missing.length > 0) {
      coverage.set(decl.name, { status: "not in this source", missing });
      continue;
    }
    const columnsFrom = needs[decl.name]?.columnsFrom ?? {};
    const nullColumns = (Object.entries(columnsFrom) as [RawTableName, readonly string[]][])
      .filter(([table]) => absent.includes(table))
      .flatMap(([, columns]) => columns);
    coverage.set(decl.name, { status: "built", nullColumns });
  }
  return coverage;
}

/**
 * `martCoverage` plus the tables the chain's code steps compute from marts (`dm_stat_tests`,
 * from the significance-test step): such a table is not in this source when a mart it reads is
 * not, naming what those marts miss. The runner, the report and `npm start` read this one map.
 */
export function chainCoverage(absent: readonly RawTableName[]): Map<string, MartCoverage> {
  const coverage = martCoverage(absent);
  for (const step of nightlyChain()) {
    if (step.kind !== "stats") continue;
    const missing = [
      ...new Set(
        step.dependsOn.flatMap((name) => {
          const c = coverage.get(name);
          return c?.status === "not in this source" ? c.missing : [];
        }),
      ),
    ].sort();
    for (const table of step.produces)
      coverage.set(
        table,
        missing.length > 0
          ? { status: "not in this source", missing }
          : { status: "built", nullColumns: [] },
      );
  }
  return coverage;
}

/**
 * The statement that sets a built mart's not-in-this-source columns to null after its refresh
 * (BigQuery DML; DuckDB after translation), for the rows `where` selects (every row by default;
 * a per-date mart passes its refreshed days). Null, not zero: a dash in the report, a null in BI.
 */
export function nullColumnsSql(
  target: { readonly dataset: string; readonly table: string },
  columns: readonly string[],
  where = "true",
): string {
  const sets = columns.map((c) => `${c} = null`).join(", ");
  return `update ${target.dataset}.${target.table} set ${sets} where ${where}`;
}

/** One line for a mart that is not in the source: what it misses. */
export function notInSourceReason(missing: readonly RawTableName[]): string {
  return `not in this source (needs ${missing.join(", ")})`;
}
