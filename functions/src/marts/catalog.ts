import { RAW_TABLE_NAMES } from "../contract/tables";
import { mapOutsideCommentsAndStrings } from "../sql/render";
import { readSql } from "../sql/sqlFiles";

/**
 * How each mart is materialised, declared once. The local runner and the cloud scheduled queries
 * (infra) both read this list; the SQL lives in `sql/<file>`.
 */
export interface MartDeclaration {
  /** Destination table name; equals the SQL file's base name. */
  readonly name: string;
  /** Path under `sql/`, for example `marts/dm_kpi_daily.sql`. */
  readonly file: string;
  readonly dataset: "marts" | "snapshots";
  readonly description: string;
  /**
   * `table`: the whole table is replaced on each run (WRITE_TRUNCATE).
   * `partition`: only the partition of the run's date is replaced (`table$YYYYMMDD`, WRITE_TRUNCATE);
   * `parameter` names the DATE query parameter that selects it. With `fromParameter`, the query
   * writes the days of a date spine from that parameter to `parameter` (every day for the KPIs,
   * the month ends and the last day for the RFM snapshot): the nightly run passes one day as both,
   * a bulk run or a backfill the whole range in one query.
   */
  readonly materialization:
    | { readonly kind: "table" }
    | {
        readonly kind: "partition";
        readonly parameter: "run_date" | "snapshot_date";
        readonly fromParameter?: "from_date";
      };
  /** Destination partitioning: a DATE/TIMESTAMP column and its granularity. */
  readonly partitioning?: { readonly column: string; readonly granularity: "DAY" | "MONTH" };
  /** Destination clustering, at most four columns. */
  readonly clustering: readonly string[];
}

const table = { kind: "table" } as const;

/**
 * Every mart and snapshot query, in no particular order (`martsInDependencyOrder` sorts them).
 * Per-date outputs (dm_kpi_daily, rfm_daily) replace one partition per run; the rest are small
 * enough to rebuild whole, which keeps them correct when late data lands.
 */
export const MARTS: readonly MartDeclaration[] = [
  {
    name: "dm_user_purchase_summary",
    file: "marts/dm_user_purchase_summary.sql",
    dataset: "marts",
    description:
      "One row per user: first purchase, 14/30-day conversion, orders, revenue, 180-day LTV, retention, AOV, subscription, CLTV tier.",
    materialization: table,
    partitioning: { column: "signup_date", granularity: "MONTH" },
    clustering: ["user_type", "marketing_source"],
  },
  {
    name: "dm_behavior_consistency",
    file: "marts/dm_behavior_consistency.sql",
    dataset: "marts",
    description:
      "One row per user: rhythm of the first four weeks (active days/weeks, gap mean and CV) and a consistency tier.",
    materialization: table,
    partitioning: { column: "signup_date", granularity: "MONTH" },
    clustering: ["user_type", "consistency_tier"],
  },
  {
    name: "dm_category_performance",
    file: "marts/dm_category_performance.sql",
    dataset: "marts",
    description:
      "Category x month: revenue, orders, units, AOV, month-over-month and year-over-year growth, seasonality index, promo share.",
    materialization: table,
    clustering: ["category"],
  },
  {
    name: "dm_funnel_sessions",
    file: "marts/dm_funnel_sessions.sql",
    dataset: "marts",
    description: "One row per session: funnel step flags and the highest step reached.",
    materialization: table,
    partitioning: { column: "session_date", granularity: "DAY" },
    clustering: ["user_type", "device", "user_id"],
  },
  {
    name: "dm_funnel_daily",
    file: "marts/dm_funnel_daily.sql",
    dataset: "marts",
    description:
      "Day x device x user type x promo: sessions per step, step conversion and drop-off.",
    materialization: table,
    partitioning: { column: "session_date", granularity: "DAY" },
    clustering: ["device", "user_type"],
  },
  {
    name: "dm_cohort_retention",
    file: "marts/dm_cohort_retention.sql",
    dataset: "marts",
    description:
      "Signup cohort (week, month) x period offset: retention, with cohort-level 90/180-day retention.",
    materialization: table,
    clustering: ["cohort_granularity", "cohort_start"],
  },
  {
    name: "dm_ltv_distribution",
    file: "marts/dm_ltv_distribution.sql",
    dataset: "marts",
    description:
      "Population (all users, buyers) x user type x consistency tier: 180-day LTV percentiles, top 1/10/20% revenue share, Gini.",
    materialization: table,
    clustering: ["population", "user_type", "consistency_tier"],
  },
  {
    name: "dm_ltv_lorenz",
    file: "marts/dm_ltv_lorenz.sql",
    dataset: "marts",
    description:
      "Population x user type x consistency tier x user share: the Lorenz curve of 180-day LTV, for Pareto charts.",
    materialization: table,
    clustering: ["population", "user_type", "consistency_tier"],
  },
  {
    name: "dm_tradeoff_summary",
    file: "marts/dm_tradeoff_summary.sql",
    dataset: "marts",
    description:
      "Segment: 14/30-day conversion against 90/180-day retention, 180-day LTV and paid-subscription share.",
    materialization: table,
    clustering: ["segment_type", "segment"],
  },
  {
    name: "dm_promo_effect",
    file: "marts/dm_promo_effect.sql",
    dataset: "marts",
    description:
      "Promo vs non-promo signups x user type: conversion speed, discount depth, retention, LTV.",
    materialization: table,
    clustering: ["signup_promo", "user_type"],
  },
  {
    name: "dm_kpi_daily",
    file: "marts/dm_kpi_daily.sql",
    dataset: "marts",
    description:
      "One row per day: DAU, WAU, MAU, stickiness, sessions, orders, revenue, AOV, new users, conversion.",
    materialization: { kind: "partition", parameter: "run_date", fromParameter: "from_date" },
    partitioning: { column: "kpi_date", granularity: "DAY" },
    clustering: [],
  },
  {
    name: "dm_churn_risk",
    file: "marts/dm_churn_risk.sql",
    dataset: "marts",
    description:
      "One row per buyer: silence, purchase cycle, risk group, churn flag and the reactivation list.",
    materialization: table,
    clustering: ["risk_group", "purchase_count_tier"],
  },
  {
    name: "dm_campaign_users",
    file: "marts/dm_campaign_users.sql",
    dataset: "marts",
    description:
      "Reactivation campaign x targeted user: group, message, open, block, reactivation within 7/14/28 days (in the messaged category or not), revenue, activity before and after.",
    materialization: table,
    partitioning: { column: "campaign_date", granularity: "DAY" },
    clustering: ["campaign_id", "experiment_group"],
  },
  {
    name: "dm_campaign_summary",
    file: "marts/dm_campaign_summary.sql",
    dataset: "marts",
    description:
      "Reactivation campaign (and all pooled) x group: size, open and block rates against the guardrail, 7/14/28-day reactivation, revenue, pre/post activity.",
    materialization: table,
    clustering: ["campaign_id", "experiment_group"],
  },
  {
    name: "dm_campaign_roi",
    file: "marts/dm_campaign_roi.sql",
    dataset: "marts",
    description:
      "RFM segment: reachable reactivation targets, expected incremental buyers and revenue from the measured uplift, cost, net value and ROI.",
    materialization: table,
    clustering: ["segment"],
  },
  {
    name: "rfm_segment_map",
    file: "rfm/rfm_segment_map.sql",
    dataset: "snapshots",
    description:
      "The one RFM mapping table: every (R, F, M) score combination to one of nine segments.",
    materialization: table,
    clustering: [],
  },
  {
    name: "rfm_daily",
    file: "rfm/rfm_daily.sql",
    dataset: "snapshots",
    description: "Daily RFM snapshot per buyer: recency, frequency, monetary, scores and segment.",
    materialization: { kind: "partition", parameter: "snapshot_date", fromParameter: "from_date" },
    partitioning: { column: "snapshot_date", granularity: "DAY" },
    clustering: ["segment", "user_id"],
  },
  {
    name: "dm_rfm_segments",
    file: "marts/dm_rfm_segments.sql",
    dataset: "marts",
    description:
      "RFM snapshot date x segment: users, revenue share, average monetary, recency and frequency.",
    materialization: table,
    partitioning: { column: "snapshot_date", granularity: "DAY" },
    clustering: ["segment"],
  },
  {
    name: "dm_clv_segments",
    file: "marts/dm_clv_segments.sql",
    dataset: "marts",
    description:
      "CLV fit date x RFM segment: buyers, revenue to date, mean P(alive), expected purchase days and predicted 180/365-day revenue.",
    materialization: table,
    partitioning: { column: "snapshot_date", granularity: "DAY" },
    clustering: ["segment"],
  },
  {
    name: "dm_acquisition_quality",
    file: "marts/dm_acquisition_quality.sql",
    dataset: "marts",
    description:
      "Channel and gateway category: users, buyers, VIP share, 14-day conversion, 180-day LTV.",
    materialization: table,
    clustering: ["dimension"],
  },
];

/** The declaration of one mart by name; an unknown name is an error listing the known ones. */
export function martByName(name: string): MartDeclaration {
  const decl = MARTS.find((m) => m.name === name);
  if (!decl)
    throw new Error(`Unknown mart "${name}"; known: ${MARTS.map((m) => m.name).join(", ")}`);
  return decl;
}

/**
 * The marts a SQL text reads: every `marts.<name>` / `snapshots.<name>` reference (outside
 * comments and strings) that names a declared mart, or one of `tables` when given (the tables a
 * code step writes, which are not declared marts).
 */
export function sqlMartReferences(
  sql: string,
  tables: readonly string[] = MARTS.map((d) => d.name),
): string[] {
  const names = new Set<string>();
  mapOutsideCommentsAndStrings(sql, (code) => {
    for (const m of code.matchAll(/(?<![\w.`])(?:marts|snapshots)\.([A-Za-z_]\w*)/g)) {
      if (tables.includes(m[1]!)) names.add(m[1]!);
    }
    return code;
  });
  return [...names].sort();
}

/** The raw tables a SQL text reads: every `raw.<table>` reference naming a contract table. */
export function sqlRawReferences(sql: string): string[] {
  const names = new Set<string>();
  mapOutsideCommentsAndStrings(sql, (code) => {
    for (const m of code.matchAll(/(?<![\w.`])raw\.([A-Za-z_]\w*)/g)) {
      if ((RAW_TABLE_NAMES as readonly string[]).includes(m[1]!)) names.add(m[1]!);
    }
    return code;
  });
  return [...names].sort();
}

/** The raw tables a declaration reads, found from its SQL like its mart dependencies. */
export function martRawDependencies(decl: MartDeclaration): string[] {
  return sqlRawReferences(readSql(decl.file));
}

/**
 * The marts a declaration reads, found from its SQL, so the order is derived rather than kept by
 * hand beside the SQL (and cannot drift from it).
 */
export function martDependencies(decl: MartDeclaration): string[] {
  return sqlMartReferences(readSql(decl.file)).filter((n) => n !== decl.name);
}

/**
 * MARTS sorted so each mart comes after every mart it reads (stable: declaration order among
 * independent marts). A cycle is an error naming the marts in it.
 */
export function martsInDependencyOrder(
  marts: readonly MartDeclaration[] = MARTS,
  dependencies: (decl: MartDeclaration) => string[] = martDependencies,
): MartDeclaration[] {
  const deps = new Map(marts.map((m) => [m.name, dependencies(m)]));
  const ordered: MartDeclaration[] = [];
  const done = new Set<string>();
  while (ordered.length < marts.length) {
    const ready = marts.filter(
      (m) => !done.has(m.name) && deps.get(m.name)!.every((d) => done.has(d)),
    );
    if (ready.length === 0) {
      const left = marts.filter((m) => !done.has(m.name)).map((m) => m.name);
      throw new Error(`Mart dependency cycle or unknown dependency among: ${left.join(", ")}`);
    }
    for (const m of ready) {
      ordered.push(m);
      done.add(m.name);
    }
  }
  return ordered;
}
