import { z } from "zod";
import { ColumnDef, LogicalType, RawTableName, RAW_TABLES } from "./tables";

/**
 * Row validation derived from the contract: a zod object per table, strict (no unknown columns),
 * with closed value sets enforced. Rows are validated as they come out of DuckDB in JS form:
 * DATE as `YYYY-MM-DD` strings, TIMESTAMP as ISO strings or `Date`, INT64 as number or bigint.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");
const timestamp = z.union([z.date(), z.string().refine((s) => !Number.isNaN(Date.parse(s)))]);

const BASE: Record<LogicalType, z.ZodType> = {
  STRING: z.string(),
  INT64: z.union([z.number().int(), z.bigint()]),
  FLOAT64: z.number().finite(),
  BOOL: z.boolean(),
  DATE: isoDate,
  TIMESTAMP: timestamp,
};

function columnSchema(c: ColumnDef): z.ZodType {
  const base = c.allowed ? z.enum(c.allowed as [string, ...string[]]) : BASE[c.type];
  return c.nullable ? base.nullable() : base;
}

export function rowSchema(table: RawTableName): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const c of RAW_TABLES[table].columns) shape[c.name] = columnSchema(c);
  return z.object(shape).strict();
}
