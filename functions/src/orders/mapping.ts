import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEVICES, MARKETING_SOURCES, REGIONS, USER_TYPES } from "../contract";

/**
 * The declared column mapping of an orders file ("bring your own orders"): how to read the file,
 * which of its columns carry which fact, and the values that fill what the file lacks. Written
 * as JSON beside the file; `docs/orders-loader.md` documents every field.
 */

const Column = z.string().min(1, "must name a column of the file");

export const OrdersMapping = z
  .object({
    /** `delimited` text (CSV, TSV, ...) or `parquet`. */
    format: z.enum(["delimited", "parquet"]),
    /** Field separator of delimited text: one character, or `whitespace` for runs of blanks. */
    delimiter: z
      .union([z.literal("whitespace"), z.string().length(1, "must be one character")])
      .optional(),
    /** Whether the first line of delimited text names the columns. */
    header: z.boolean().optional(),
    /** Column names of headerless delimited text, in file order. */
    columns: z.array(Column).min(1).optional(),
    /** One row per order (`order`) or one row per order line (`line`). */
    level: z.enum(["order", "line"]),
    fields: z
      .object({
        customer_id: Column,
        /** Order or invoice number; without it, a customer's rows at one timestamp are one order. */
        order_id: Column.optional(),
        timestamp: Column,
        /** Row amount: the order total (order level) or the line amount (line level). */
        amount: Column.optional(),
        quantity: Column.optional(),
        unit_price: Column.optional(),
        product_id: Column.optional(),
        product_name: Column.optional(),
        category: Column.optional(),
        channel: Column.optional(),
        country: Column.optional(),
        currency: Column.optional(),
      })
      .strict(),
    /**
     * strptime format of the timestamp column (DuckDB's, e.g. `%Y%m%d`, `%m/%d/%Y %H:%M`);
     * default ISO 8601. Timestamps without a zone are UTC.
     */
    timestampFormat: z.string().min(1).optional(),
    /** Order ids starting with this mark cancellations (Online Retail's `C`); default `C`. */
    cancelledOrderPrefix: z.string().min(1).optional(),
    /**
     * Rows equal to an earlier row in every mapped field: `drop` (default; a double export) or
     * `keep` (a file without order ids, where two equal rows are two purchases, as in CDNOW).
     */
    duplicates: z.enum(["drop", "keep"]).optional(),
    /**
     * Rows whose price (unit price, else amount) is exactly 0: `drop` (default; adjustments and
     * samples) or `keep` (a file where free purchases are real purchases, as CDNOW's $0 orders).
     * Negative prices are always dropped.
     */
    zeroPrices: z.enum(["drop", "keep"]).optional(),
    /** With a currency column holding several currencies: keep only this one (others dropped). */
    keepCurrency: z.string().min(1).optional(),
    /** Values for contract columns the file does not have. */
    defaults: z
      .object({
        user_type: z.enum(USER_TYPES).optional(),
        device: z.enum(DEVICES).optional(),
        region: z.enum(REGIONS).optional(),
        marketing_source: z.enum(MARKETING_SOURCES).optional(),
        category: z.string().min(1).optional(),
        brand: z.string().min(1).optional(),
        rating_avg: z.number().min(1).max(5).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    if (m.format === "delimited") {
      if (m.delimiter === undefined) issue(["delimiter"], "is required for delimited text");
      if (m.header === undefined) issue(["header"], "is required for delimited text (true/false)");
      if (m.header === false && !m.columns)
        issue(["columns"], "names the columns of a headerless file");
      if (m.header === true && m.columns) issue(["columns"], "is only for a headerless file");
    } else {
      for (const key of ["delimiter", "header", "columns"] as const)
        if (m[key] !== undefined) issue([key], "does not apply to Parquet");
    }
    const f = m.fields;
    if (!f.amount && !(f.quantity && f.unit_price)) {
      issue(["fields"], "needs amount, or quantity and unit_price");
    }
    if (m.columns) {
      const used = Object.entries(f).filter(([, c]) => !m.columns!.includes(c));
      for (const [field, column] of used)
        issue(["fields", field], `names "${column}", which is not in columns`);
    }
    if (m.keepCurrency && !f.currency) issue(["keepCurrency"], "needs fields.currency");
  });
export type OrdersMapping = z.infer<typeof OrdersMapping>;

/** The mapped fields, as the loader names them. */
export type MappedField = keyof OrdersMapping["fields"];

/** Values used for contract columns that neither the file nor the mapping's `defaults` give. */
export const MAPPING_DEFAULTS = {
  user_type: "D",
  device: "Web",
  region: "Central",
  marketing_source: "Organic",
  category: "Uncategorised",
  brand: "Unknown",
  rating_avg: 3,
} as const satisfies Required<NonNullable<OrdersMapping["defaults"]>>;

/** A mapping that does not parse: one line naming the file and every problem's path. */
export class MappingError extends Error {}

/** Validates a parsed mapping; `source` names it in the error (usually its file). */
export function parseMapping(json: unknown, source: string): OrdersMapping {
  const parsed = OrdersMapping.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (i) => `${i.path.length > 0 ? i.path.join(".") : "(mapping)"} ${i.message}`,
  );
  throw new MappingError(`${source}: invalid mapping: ${problems.join("; ")}`);
}

/** Reads and validates a mapping file. */
export function readMappingFile(file: string): OrdersMapping {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new MappingError(`${file}: cannot read the mapping: ${(error as Error).message}`);
  }
  return parseMapping(json, file);
}
