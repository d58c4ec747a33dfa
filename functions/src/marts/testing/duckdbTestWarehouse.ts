import { RAW_TABLE_LIST, duckdbCreateTable } from "../../contract";
import type { MaterializeTarget, Warehouse } from "../../backends/types";
import { renderParams, type SqlParam } from "../../sql/render";
import { toDuckDb } from "../../sql/translate";
import { closeDuckDb, openDuckDb, queryRows } from "../../warehouse/duckdb";

type Db = Awaited<ReturnType<typeof openDuckDb>>;

/**
 * A minimal DuckDB Warehouse for the marts' tests: the same render, translate, run path as the
 * local warehouse (params, then toDuckDb), without lake loads. Raw rows are inserted directly by
 * the test through `db`.
 */
export interface TestWarehouse extends Warehouse {
  readonly db: Db;
}

export async function openTestWarehouse(path = ":memory:"): Promise<TestWarehouse> {
  const db = await openDuckDb(path);
  const run = async (sql: string): Promise<void> => {
    await db.connection.run(sql);
  };
  const translate = async (sql: string, params: Record<string, SqlParam> = {}): Promise<string> =>
    toDuckDb(renderParams(sql, params));

  const warehouse: TestWarehouse = {
    kind: "duckdb",
    db,
    async ensureRawTables() {
      for (const schema of ["raw", "marts", "snapshots"])
        await run(`create schema if not exists ${schema}`);
      for (const table of RAW_TABLE_LIST) await run(duckdbCreateTable(table, "raw"));
    },
    async replacePartitions() {
      throw new Error("The test warehouse has no lake; insert raw rows directly");
    },
    async query<T>(sql: string, params?: Record<string, SqlParam>): Promise<T[]> {
      return queryRows<T>(db.connection, await translate(sql, params));
    },
    async materialize(target: MaterializeTarget, sql: string, params?: Record<string, SqlParam>) {
      const select = await translate(sql, params);
      const table = `${target.dataset}.${target.table}`;
      await run(`create schema if not exists ${target.dataset}`);
      if (!target.partition) {
        await run(`create or replace table ${table} as ${select}`);
      } else {
        const { column, date } = target.partition;
        await run(`create table if not exists ${table} as select * from (${select}) limit 0`);
        const [stray] = await queryRows<{ n: number }>(
          db.connection,
          `select count(*)::int as n from (${select}) where ${column} is distinct from date '${date}'`,
        );
        if (stray && stray.n > 0) throw new Error(`${table}: rows outside partition ${date}`);
        await run("begin transaction");
        try {
          await run(`delete from ${table} where ${column} = date '${date}'`);
          await run(`insert into ${table} select * from (${select})`);
          await run("commit");
        } catch (error) {
          await run("rollback");
          throw error;
        }
      }
      const [count] = await queryRows<{ n: number }>(
        db.connection,
        target.partition
          ? `select count(*)::int as n from ${table} where ${target.partition.column} = date '${target.partition.date}'`
          : `select count(*)::int as n from ${table}`,
      );
      return { rows: count?.n ?? 0 };
    },
    async execute(sql: string, params?: Record<string, SqlParam>) {
      await run(await translate(sql, params));
    },
    async close() {
      closeDuckDb(db);
    },
  };
  return warehouse;
}
