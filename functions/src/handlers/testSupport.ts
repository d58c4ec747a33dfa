/**
 * Helpers for the handler tests: fingerprints of everything the local backends hold, so a test can
 * say "nothing changed" byte for byte, or "this partition is exactly the old or the new one".
 * Used by tests only.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import request from "supertest";
import { FUNCTION_ENV } from "../backends/fromEnv";
import { RAW_TABLE_LIST } from "../contract";

/** Every file under `dir`: path, size and SHA-256, sorted by path. Empty when `dir` is absent. */
export async function fileListing(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        const bytes = await readFile(full);
        const sha = createHash("sha256").update(bytes).digest("hex");
        out.push(`${relative(dir, full)} ${bytes.length} ${sha}`);
      }
    }
  };
  await walk(dir);
  return out.sort();
}

/** One partition's fingerprint: its rows, distinct keys and a hash of its ordered content. */
export interface PartitionPrint {
  readonly rows: number;
  readonly keys: number;
  readonly hash: string;
}

/** `table/partition` (`*` for whole tables) → fingerprint, for every raw table. */
export type WarehousePrint = Record<string, PartitionPrint>;

/** Runs read-only queries on a DuckDB file (in UTC), closing it afterwards. */
export async function withDuckDbReadOnly<T>(
  file: string,
  work: (query: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    await connection.run("set TimeZone = 'UTC'");
    return await work(async (sql) => {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Fingerprints every partition of every raw table in a DuckDB warehouse file. */
export async function warehousePrint(file: string): Promise<WarehousePrint> {
  if (!existsSync(file)) return {};
  return withDuckDbReadOnly(file, async (query) => {
    const print: WarehousePrint = {};
    for (const def of RAW_TABLE_LIST) {
      const part = def.partitionColumn
        ? `cast(cast(t.${def.partitionColumn} as date) as varchar)`
        : "'*'";
      const rows = await query(
        `select ${part} as part, count(*) as n, count(distinct t.${def.primaryKey}) as k,
                md5(string_agg(cast(t as varchar), '|' order by t.${def.primaryKey})) as h
         from raw.${def.name} as t group by 1 order by 1`,
      );
      for (const r of rows) {
        print[`${def.name}/${String(r.part)}`] = {
          rows: Number(r.n),
          keys: Number(r.k),
          hash: String(r.h),
        };
      }
    }
    return print;
  });
}

/** Rows per raw table, summed over partitions. */
export function rowsPerTable(print: WarehousePrint): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, p] of Object.entries(print)) {
    const table = key.split("/")[0]!;
    out[table] = (out[table] ?? 0) + p.rows;
  }
  return out;
}

/**
 * Clears the variables that send the functions to the cloud (bucket, BigQuery location, dataset
 * ids), so a handler test runs on the local backends; with `folderWorld`, also the world's
 * (seed, scale, first day), so the functions use the world the data folder records.
 */
export function useLocalBackends(options: { readonly folderWorld?: boolean } = {}): void {
  const cloud = [
    "lakeBucket",
    "bigQueryLocation",
    "rawDataset",
    "martsDataset",
    "snapshotsDataset",
  ];
  const world = ["generatorSeed", "generatorUsers", "generatorStartDate"];
  for (const key of [...cloud, ...(options.folderWorld ? world : [])])
    delete process.env[FUNCTION_ENV[key as keyof typeof FUNCTION_ENV]];
}

/** POSTs `body` as JSON to a function served by the Functions Framework's test server. */
export function postJson(server: Parameters<typeof request>[0], body: unknown): request.Test {
  return request(server)
    .post("/")
    .set("Content-Type", "application/json")
    .send(body as object);
}
