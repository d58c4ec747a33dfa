import type { MartDeclaration } from "../functions/src/marts/catalog";
import { mapOutsideCommentsAndStrings, queryParameters } from "../functions/src/sql/render";

/**
 * When and how each mart runs in the cloud. Pure functions, so the ordering rules are tested
 * without Pulumi.
 */

/** Query parameters a BigQuery scheduled query binds by itself. */
export const SCHEDULED_QUERY_PARAMETERS = ["run_date", "run_time"] as const;

/**
 * Marts refreshed by a scheduled query: every mart in the `marts` dataset. The `snapshots`
 * dataset (the RFM segment map and daily snapshot) is written by the `refreshRfmSnapshot`
 * function, which must also apply the segment history right after each snapshot, something a
 * scheduled query cannot sequence; and a scheduled query cannot bind `@snapshot_date` anyway.
 */
export function isScheduledQueryMart(decl: MartDeclaration): boolean {
  return decl.dataset === "marts";
}

/**
 * Dependency level of each mart: 0 for a mart that reads only raw tables (or marts refreshed
 * outside the scheduled queries), else one more than the deepest scheduled mart it reads. A
 * cycle is an error naming the marts in it. Sorting by level gives an order in which each mart
 * runs after the marts it reads.
 */
export function dependencyLevels(
  names: readonly string[],
  depsOf: (name: string) => readonly string[],
): Record<string, number> {
  const levels: Record<string, number> = {};
  const visiting: string[] = [];
  const visit = (name: string): number => {
    if (name in levels) return levels[name]!;
    if (visiting.includes(name)) {
      throw new Error(`Marts depend on each other in a cycle: ${[...visiting, name].join(" -> ")}`);
    }
    visiting.push(name);
    const deps = depsOf(name).filter((d) => names.includes(d) && d !== name);
    const level = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(visit));
    visiting.pop();
    levels[name] = level;
    return level;
  };
  for (const name of names) visit(name);
  return levels;
}

/** A Cloud Scheduler schedule (unix cron, with the job's time zone set to UTC): `15 3 * * *`. */
export function cronAt(time: string): string {
  const [h, m] = time.split(":").map(Number) as [number, number];
  return `${m} ${h} * * *`;
}

/**
 * The query text a scheduled query runs. A per-date mart written as a date spine reads
 * `@from_date` as well as `@run_date`; a scheduled query binds only `@run_date`, so the spine's
 * first day becomes the run date: each run writes exactly the one partition its
 * `name$YYYYMMDD` destination names (SPEC: the run date is the last complete day of data).
 */
export function scheduledQuerySql(decl: MartDeclaration, sql: string): string {
  const materialization = decl.materialization;
  if (materialization.kind !== "partition" || !materialization.fromParameter) return sql;
  const from = new RegExp(`(?<![@\\w])@${materialization.fromParameter}\\b`, "g");
  return mapOutsideCommentsAndStrings(sql, (code) =>
    code.replace(from, `@${materialization.parameter}`),
  );
}

/**
 * The `params` of a scheduled query for a mart: the rendered SQL, and the destination exactly as
 * the mart declares its materialisation. Per-date marts replace one partition
 * (`name$YYYYMMDD` via `{run_date}`), the others the whole table; both with WRITE_TRUNCATE, so a
 * re-run never duplicates rows. Values are plain stable strings (the provider has diffed
 * non-string params forever). No `partitioning_field`: the Warehouse pre-creates the destination
 * table with its declared partitioning, which a write into an existing table keeps, while a
 * job-level DAY partitioning would clash with a MONTH-partitioned table.
 */
export function scheduledQueryParams(decl: MartDeclaration, sql: string): Record<string, string> {
  const renderedSql = scheduledQuerySql(decl, sql);
  const unbound = queryParameters(renderedSql).filter(
    (p) => !(SCHEDULED_QUERY_PARAMETERS as readonly string[]).includes(p),
  );
  if (unbound.length > 0) {
    throw new Error(
      `Mart ${decl.name} (${decl.file}) uses ${unbound.map((p) => "@" + p).join(", ")}, which a ` +
        `scheduled query cannot bind; only @run_date and @run_time exist there`,
    );
  }
  return {
    query: renderedSql,
    // A plain string: `{run_date}` is the Data Transfer Service's template, not a JS one.
    destination_table_name_template:
      decl.materialization.kind === "partition" ? decl.name + "${run_date}" : decl.name,
    write_disposition: "WRITE_TRUNCATE",
  };
}
