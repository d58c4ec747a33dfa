/**
 * The bookkeeping rows (world manifest, run record) as SQL both warehouses take: an
 * `(columns) values (...)` clause with plain literals, in the column order of their one
 * definition in the contract, and the manifest read back from a row.
 */
import { PIPELINE_RUNS, WORLD_MANIFEST, type ColumnDef, type MetaTableDef } from "../contract";
import type { WorldManifest } from "../world/manifest";
import type { RunRecord } from "../world/runRecord";

type Value = string | number | boolean | null;

function literal(column: ColumnDef, value: Value): string {
  if (value === null) {
    if (!column.nullable) throw new Error(`${column.name} must not be null`);
    return "null";
  }
  switch (column.type) {
    case "STRING":
      return `'${String(value).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    case "INT64":
    case "FLOAT64":
      if (typeof value !== "number" || !Number.isFinite(value))
        throw new Error(`${column.name}: ${String(value)} is not a number`);
      return String(value);
    case "BOOL":
      return value ? "true" : "false";
    case "DATE":
      if (!/^\d{4}-\d{2}-\d{2}$/.test(String(value)))
        throw new Error(`${column.name}: ${String(value)} is not YYYY-MM-DD`);
      return `date '${String(value)}'`;
    case "TIMESTAMP": {
      const ms = Date.parse(String(value));
      if (Number.isNaN(ms)) throw new Error(`${column.name}: ${String(value)} is not a timestamp`);
      return `timestamp '${new Date(ms).toISOString().replace("T", " ").replace("Z", "+00")}'`;
    }
  }
}

/** `(c1, c2, ...) values (v1, v2, ...)` for one row of a bookkeeping table. */
export function valuesSql(def: MetaTableDef, row: Readonly<Record<string, Value>>): string {
  for (const key of Object.keys(row))
    if (!def.columns.some((c) => c.name === key))
      throw new Error(`${def.name} has no column ${key}`);
  const columns = def.columns.map((c) => c.name).join(", ");
  const values = def.columns.map((c) => literal(c, row[c.name] ?? null)).join(", ");
  return `(${columns}) values (${values})`;
}

export function manifestRowSql(manifest: WorldManifest): string {
  return valuesSql(WORLD_MANIFEST, {
    world_id: manifest.worldId,
    source: manifest.source,
    seed: manifest.seed,
    users: manifest.users,
    start_date: manifest.startDate,
    model_version: manifest.modelVersion,
    contract_version: manifest.contractVersion,
    absent_tables: manifest.absentTables.join(","),
    data_through: manifest.dataThrough,
    updated_at: manifest.updatedAt,
  });
}

export function runRecordRowSql(record: RunRecord): string {
  return valuesSql(PIPELINE_RUNS, {
    run_id: record.runId,
    run_kind: record.runKind,
    world_id: record.worldId,
    days_start: record.daysStart,
    days_end: record.daysEnd,
    data_through: record.dataThrough,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    status: record.status,
    failed_step: record.failedStep,
    error: record.error,
    rows_json: record.rows === null ? null : JSON.stringify(record.rows),
  });
}

/** A date or timestamp cell as the warehouse client returned it, as `YYYY-MM-DD...` text. */
function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && "value" in value)
    return String((value as { value: unknown }).value);
  return String(value);
}

/** The manifest from a `select *` row of `raw.world_manifest` (either warehouse's client). */
export function manifestFromRow(row: Readonly<Record<string, unknown>>): WorldManifest {
  const dataThrough = row.data_through === null ? null : text(row.data_through).slice(0, 10);
  const absent = text(row.absent_tables);
  return {
    worldId: text(row.world_id),
    source: text(row.source) === "orders" ? "orders" : "synthetic",
    seed: row.seed === null ? null : Number(row.seed),
    users: row.users === null ? null : Number(row.users),
    startDate: text(row.start_date).slice(0, 10),
    modelVersion: text(row.model_version),
    contractVersion: text(row.contract_version),
    absentTables: (absent === ""
      ? []
      : absent.split(",")) as unknown as WorldManifest["absentTables"],
    dataThrough: dataThrough === "" ? null : dataThrough,
    updatedAt: text(row.updated_at),
  };
}
