import { statSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { RawTableName } from "../contract";
import { cleanRows, CLEANING_RULES, ROWS_TABLE, type CleaningRule } from "./cleanRows";
import { ABSENT_FROM_ORDERS, deriveContract } from "./deriveContract";
import { OrdersInputError } from "./inputError";
import type { OrdersMapping } from "./mapping";
import { stageSource } from "./stageSource";

/** What a load read, kept and dropped, and what it derived. */
export interface OrdersLoadSummary {
  readonly file: string;
  readonly rowsRead: number;
  readonly rowsKept: number;
  /** Rows dropped per cleaning rule (every rule listed, zero where none). */
  readonly dropped: Record<CleaningRule, number>;
  /** Rows per derived contract table. */
  readonly tables: Record<RawTableName, number>;
  /** Raw tables the source does not have: empty, and to be recorded as absent. */
  readonly absentTables: readonly RawTableName[];
  /** First and last UTC day with a kept order. */
  readonly firstDay: string;
  readonly lastDay: string;
  /** Kept rows whose channel was not Organic/Paid/Referral and took the default. */
  readonly channelDefaulted: number;
}

/** The DuckDB schema the derived tables go to by default (the generator's is `gen`). */
export const ORDERS_SCHEMA = "orders_src";

/**
 * Reads an orders file through its mapping and derives the raw contract tables into `schema` of
 * `connection`, ready for the lake writer (`writeLake(..., { sourceSchema })`). Every check on
 * the input runs first: bad input throws `OrdersInputError` (file, row, column) before `schema`
 * is touched. A file with no row left after cleaning is bad input too.
 */
export async function loadOrdersFile(
  connection: DuckDBConnection,
  file: string,
  mapping: OrdersMapping,
  schema = ORDERS_SCHEMA,
): Promise<OrdersLoadSummary> {
  try {
    if (!statSync(file).isFile()) throw new Error("not a file");
  } catch (error) {
    throw new OrdersInputError(file, null, null, `cannot be read: ${(error as Error).message}`);
  }
  const { rows } = await stageSource(connection, file, mapping);
  const dropped = await cleanRows(connection, file, mapping);
  const rowsKept = rows - CLEANING_RULES.reduce((n, r) => n + dropped[r], 0);
  if (rowsKept === 0) {
    throw new OrdersInputError(file, null, null, `no row is left after cleaning (${rows} read)`);
  }
  const [span] = (
    await connection.runAndReadAll(
      `select cast(min(cast(order_ts as date)) as varchar) as first_day,
              cast(max(cast(order_ts as date)) as varchar) as last_day,
              count(*) filter (where channel is not null
                  and channel not in ('Organic', 'Paid', 'Referral')) as defaulted
       from ${ROWS_TABLE} where drop_rule is null`,
    )
  ).getRowObjectsJson();
  const tables = await deriveContract(connection, mapping, schema);
  await connection.run(`drop table ${ROWS_TABLE}`);
  await connection.run("drop table temp.orders_source");
  return {
    file,
    rowsRead: rows,
    rowsKept,
    dropped,
    tables,
    absentTables: ABSENT_FROM_ORDERS,
    firstDay: String(span!.first_day),
    lastDay: String(span!.last_day),
    channelDefaulted: mapping.fields.channel ? Number(span!.defaulted) : 0,
  };
}
