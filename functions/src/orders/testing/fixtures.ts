import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseMapping, type OrdersMapping } from "../mapping";

/**
 * A line-level file in the Online Retail layout with one row for every cleaning rule (see the
 * comments in `loadOrdersFile.test.ts` for which row is which), and its mapping.
 */
export const RETAIL_FILE = join(__dirname, "retail_lines.csv");

export function retailMapping(): OrdersMapping {
  const file = join(__dirname, "retail_lines.mapping.json");
  return parseMapping(JSON.parse(readFileSync(file, "utf8")), file);
}

/** The CDNOW mapping users run with (`mappings/cdnow.json` at the repository root). */
export const CDNOW_MAPPING_FILE = join(__dirname, "../../../../mappings/cdnow.json");
