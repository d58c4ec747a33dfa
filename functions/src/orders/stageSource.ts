import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { DuckDBConnection } from "@duckdb/node-api";
import { OrdersInputError } from "./inputError";
import type { OrdersMapping } from "./mapping";

/** The staged source: `temp.orders_source`, every column as text, plus `_row` (1-based). */
export const SOURCE_TABLE = "temp.orders_source";

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Reads the file into `temp.orders_source` as text columns in file order, numbered by `_row`, so
 * every later check can name the row it stops at. DuckDB reads CSV (quoting included) and Parquet
 * itself; `whitespace`-separated text (CDNOW's layout) is first rewritten tab-separated, runs of
 * blanks becoming one tab and blank lines dropped. Every mapped column must exist: a missing one
 * stops the load with the file and the column named.
 */
export async function stageSource(
  connection: DuckDBConnection,
  file: string,
  mapping: OrdersMapping,
): Promise<{ rows: number; columns: string[] }> {
  let scratch: string | null = null;
  try {
    let reader: string;
    if (mapping.format === "parquet") {
      reader = `read_parquet(${quote(file)})`;
    } else {
      let path = file;
      let delimiter = mapping.delimiter!;
      if (delimiter === "whitespace") {
        scratch = await mkdtemp(join(tmpdir(), "orders-"));
        path = join(scratch, "source.tsv");
        await whitespaceToTabs(file, path);
        delimiter = "\t";
      }
      const names = mapping.columns ? `, names = [${mapping.columns.map(quote).join(", ")}]` : "";
      reader =
        `read_csv(${quote(path)}, delim = ${quote(delimiter)}, header = ${mapping.header}, ` +
        `all_varchar = true, strict_mode = true, null_padding = false${names})`;
    }
    try {
      await connection.run(
        `create or replace temp table orders_source as select row_number() over () as _row, * from ${reader}`,
      );
    } catch (error) {
      throw new OrdersInputError(file, null, null, `cannot be read: ${firstLine(error)}`);
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  const described = await connection.runAndReadAll(`describe ${SOURCE_TABLE}`);
  const columns = described
    .getRowObjectsJson()
    .map((r) => String(r.column_name))
    .filter((c) => c !== "_row");
  for (const [field, column] of Object.entries(mapping.fields)) {
    if (!columns.includes(column)) {
      throw new OrdersInputError(
        file,
        null,
        column,
        `mapped as ${field} but the file has no such column (it has ${columns.join(", ")})`,
      );
    }
  }
  // Parquet columns keep their types; everything is compared and parsed as text from here on.
  if (mapping.format === "parquet") {
    const casts = columns.map((c) => `cast(${ident(c)} as varchar) as ${ident(c)}`).join(", ");
    await connection.run(
      `create or replace temp table orders_source as select _row, ${casts} from ${SOURCE_TABLE}`,
    );
  }
  const count = await connection.runAndReadAll(`select count(*) as n from ${SOURCE_TABLE}`);
  return { rows: Number(count.getRowObjectsJson()[0]!.n), columns };
}

async function whitespaceToTabs(from: string, to: string): Promise<void> {
  const out = createWriteStream(to);
  const lines = createInterface({ input: createReadStream(from), crlfDelay: Infinity });
  for await (const line of lines) {
    const fields = line.trim();
    if (fields === "") continue;
    if (!out.write(fields.split(/\s+/).join("\t") + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split("\n")[0]!;
}
