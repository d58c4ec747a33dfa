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
   * `parameter` names the DATE query parameter that selects it.
   */
  readonly materialization:
    | { readonly kind: "table" }
    | { readonly kind: "partition"; readonly parameter: "run_date" | "snapshot_date" };
  /** Destination partitioning: a DATE/TIMESTAMP column and its granularity. */
  readonly partitioning?: { readonly column: string; readonly granularity: "DAY" | "MONTH" };
  /** Destination clustering, at most four columns. */
  readonly clustering: readonly string[];
}

/** Filled by the marts work; see `sql/marts/` and `sql/rfm/`. */
export const MARTS: readonly MartDeclaration[] = [];
