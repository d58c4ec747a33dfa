/**
 * Query results as text, in the three forms an analyst pipes somewhere: an aligned table to read,
 * CSV (RFC 4180) for a spreadsheet, JSON for a program. Rows arrive as the warehouse returns them
 * (JSON-safe values: dates as strings, lists as arrays, structs as objects).
 */

export const OUTPUT_FORMATS = ["table", "csv", "json"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

type Row = Record<string, unknown>;

/** The rows in one format, ending with a newline. */
export function formatRows(rows: readonly Row[], format: OutputFormat): string {
  if (format === "json") return formatJson(rows);
  if (format === "csv") return formatCsv(rows);
  return formatTable(rows);
}

/** Column names in the order the query selects them (the first row's key order). */
function columnsOf(rows: readonly Row[]): string[] {
  return rows.length === 0 ? [] : Object.keys(rows[0]!);
}

/** A value as one line of text; null is empty in CSV and `NULL` in the table. */
function cellText(value: unknown, nullText: string): string {
  if (value === null || value === undefined) return nullText;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A JSON array, one row object per line: valid JSON that still reads line by line. */
export function formatJson(rows: readonly Row[]): string {
  if (rows.length === 0) return "[]\n";
  return `[\n${rows.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`;
}

/** CSV with a header row (RFC 4180 quoting, LF line ends as DuckDB writes them). */
export function formatCsv(rows: readonly Row[]): string {
  const columns = columnsOf(rows);
  const field = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [
    columns.map(field).join(","),
    ...rows.map((r) => columns.map((c) => field(cellText(r[c], ""))).join(",")),
  ];
  return rows.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** An aligned table: numbers right-aligned, a rule under the header, the row count at the end. */
export function formatTable(rows: readonly Row[]): string {
  const columns = columnsOf(rows);
  const count = `(${rows.length} row${rows.length === 1 ? "" : "s"})\n`;
  if (columns.length === 0) return count;
  const numeric = columns.map((c) =>
    rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number"),
  );
  const cells = rows.map((r) => columns.map((c) => cellText(r[c], "NULL").replace(/\s+/g, " ")));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[], header = false) =>
    values
      .map((v, i) => (numeric[i] && !header ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join(" | ")
      .trimEnd();
  return [
    line(columns, true),
    widths.map((w) => "-".repeat(w)).join("-+-"),
    ...cells.map((row) => line(row)),
    count,
  ].join("\n");
}
