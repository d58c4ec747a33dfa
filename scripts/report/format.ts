/**
 * Text and number formatting for the report. Every value that reaches the page goes through
 * `escapeHtml` (mart values are data, and data can hold markup: a category named `<script>` must
 * show as text), and every number through one of the formatters, so a table never shows
 * `0.30000000000000004` or a raw fraction where a percentage is meant.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Shown for a value the mart leaves null (an unobserved window, a division by zero). */
export const MISSING = "–";

/**
 * A mart value as a number, or null. The DuckDB warehouse returns DOUBLE as a number and may
 * return DECIMAL or BIGINT as a string; the BigQuery client wraps some types in `{ value }`.
 */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  if (typeof value === "object" && "value" in value) return toNumber(value.value);
  return null;
}

/** A mart value as text (dates arrive as `YYYY-MM-DD` strings or BigQuery `{ value }` objects). */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object" && "value" in value) return toText(value.value);
  return String(value);
}

const grouped = (digits: number) =>
  new Intl.NumberFormat("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: true,
  });
const INTEGER = grouped(0);
const MONEY = grouped(2);

/** A fraction as a percentage: 0.1234 -> "12.3%". */
export function formatPercent(value: unknown, digits = 1): string {
  const n = toNumber(value);
  return n === null ? MISSING : `${(n * 100).toFixed(digits)}%`;
}

/** An amount of money, two decimals with thousands separators: 1234.5 -> "1,234.50". */
export function formatMoney(value: unknown): string {
  const n = toNumber(value);
  return n === null ? MISSING : MONEY.format(n);
}

/** A count, rounded, with thousands separators: 30000 -> "30,000". */
export function formatInteger(value: unknown): string {
  const n = toNumber(value);
  return n === null ? MISSING : INTEGER.format(Math.round(n));
}

/** A ratio or a mean that is not money: fixed decimals, thousands separators. */
export function formatDecimal(value: unknown, digits = 2): string {
  const n = toNumber(value);
  return n === null ? MISSING : grouped(digits).format(n);
}

/**
 * Reads back a number the formatters wrote ("12.3%" -> 0.123, "1,234.50" -> 1234.5), so a test
 * can compare what the page shows with what the mart holds. Null for the missing-value mark.
 */
export function parseFormatted(text: string): number | null {
  const t = text.trim();
  if (t === MISSING || t === "") return null;
  const percent = t.endsWith("%");
  const n = Number(t.replace(/[,%]/g, ""));
  if (!Number.isFinite(n)) throw new Error(`"${text}" is not a formatted number`);
  return percent ? n / 100 : n;
}
