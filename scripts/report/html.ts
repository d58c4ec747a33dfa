/**
 * The report's HTML building blocks: tables, sections and the page shell with its inline CSS.
 * Every text value is escaped here; callers pass plain text, never markup, except for the charts
 * `ChartSet.add` stands in for (`Section.body`), which Vega renders and escapes itself.
 */
import { escapeHtml } from "./format";

/** One table column: its header, the cell text for a row, and optional styling. */
export interface Column<R> {
  readonly header: string;
  /** A stable name for the column, written to `data-col` so a test can find a cell. */
  readonly key: string;
  /** The cell's text, already formatted (it is escaped on output). */
  readonly text: (row: R) => string;
  /** Right-aligned numbers. */
  readonly numeric?: boolean;
  /** A hover text for the cell (for example the count behind a rate). */
  readonly title?: (row: R) => string | null;
}

export interface TableOptions<R> {
  /** Extra `data-*` attributes per row (name without the `data-` prefix). */
  readonly rowData?: (row: R) => Record<string, string>;
  readonly className?: string;
  readonly caption?: string;
}

const DATA_NAME_RE = /^[a-z][a-z0-9-]*$/;

/** A table of rows with one header row; every cell's text is escaped. */
export function table<R>(
  columns: readonly Column<R>[],
  rows: readonly R[],
  options: TableOptions<R> = {},
): string {
  const head = columns
    .map((c) => `<th${c.numeric ? ' class="num"' : ""}>${escapeHtml(c.header)}</th>`)
    .join("");
  const body = rows
    .map((row) => {
      const data = Object.entries(options.rowData?.(row) ?? {})
        .map(([name, value]) => {
          if (!DATA_NAME_RE.test(name)) throw new Error(`"${name}" is not a data attribute name`);
          return ` data-${name}="${escapeHtml(value)}"`;
        })
        .join("");
      const cells = columns
        .map((c) => {
          const title = c.title?.(row);
          const tip = title ? ` title="${escapeHtml(title)}"` : "";
          const cls = c.numeric ? ' class="num"' : "";
          return `<td data-col="${escapeHtml(c.key)}"${cls}${tip}>${escapeHtml(c.text(row))}</td>`;
        })
        .join("");
      return `<tr${data}>${cells}</tr>`;
    })
    .join("\n");
  const cls = options.className ? ` class="${escapeHtml(options.className)}"` : "";
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  return `<div class="scroll"><table${cls}>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** One report section: what it shows, at which grain, from which mart, and its content. */
export interface Section {
  /** Anchor id, lowercase with dashes. */
  readonly id: string;
  readonly title: string;
  /** One line: what this section shows. */
  readonly what: string;
  /** The grain of the rows shown. */
  readonly grain: string;
  /** The marts it reads, as `marts.dm_x`. */
  readonly sources: readonly string[];
  /** Rows shown in its tables (0 means the marts had nothing to show). */
  readonly rows: number;
  /** Markup from `table`, `paragraph`, `cards` and `ChartSet.add`. */
  readonly body: string;
}

const ID_RE = /^[a-z][a-z0-9-]*$/;

/** A section's markup: heading, the "what" and "grain" lines, then its body. */
export function renderSection(section: Section): string {
  if (!ID_RE.test(section.id)) throw new Error(`Section id "${section.id}" is not a plain id`);
  const sources = section.sources.map((s) => `<code>${escapeHtml(s)}</code>`).join(", ");
  const body = section.rows > 0 ? section.body : paragraph("The marts hold no rows for this yet.");
  return (
    `<section id="${section.id}" data-rows="${section.rows}">\n` +
    `<h2>${escapeHtml(section.title)}</h2>\n` +
    `<p class="what">${escapeHtml(section.what)}</p>\n` +
    `<p class="grain">Grain: ${escapeHtml(section.grain)}. Source: ${sources}.</p>\n` +
    `${body}\n</section>`
  );
}

/** A paragraph of escaped text. */
export function paragraph(text: string, className?: string): string {
  const cls = className ? ` class="${escapeHtml(className)}"` : "";
  return `<p${cls}>${escapeHtml(text)}</p>`;
}

/** Charts (from `ChartSet.add`) side by side when the page is wide enough. */
export function figureRow(...charts: string[]): string {
  return `<div class="figures">${charts.join("")}</div>`;
}

/** Headline numbers as cards: label over value. */
export function cards(items: readonly { label: string; value: string }[]): string {
  const inner = items
    .map(
      (i) =>
        `<div class="card"><div class="card-label">${escapeHtml(i.label)}</div><div class="card-value">${escapeHtml(i.value)}</div></div>`,
    )
    .join("");
  return `<div class="cards">${inner}</div>`;
}

export interface PageOptions {
  readonly title: string;
  /** A line under the title: the question the page answers. */
  readonly subtitle: string;
  /** How fresh the data is: "Data through D, refreshed at T by a ... run: status." */
  readonly freshness: string;
  readonly sections: readonly Section[];
  /** The footer's notes (units, how it was built). */
  readonly footer: string;
}

/** The whole document: inline CSS, a contents list, the sections. No script, no external asset. */
export function renderPage(options: PageOptions): string {
  const contents = options.sections
    .map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(options.title)}</h1>
<p class="subtitle">${escapeHtml(options.subtitle)}</p>
<p class="freshness" id="freshness">${escapeHtml(options.freshness)}</p>
<nav><ol>${contents}</ol></nav>
</header>
<main>
${options.sections.map(renderSection).join("\n")}
</main>
<footer><p>${escapeHtml(options.footer)}</p></footer>
</body>
</html>
`;
}

const CSS = `
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6673; --line: #dde3ea; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f8fa; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 6px; }
.subtitle { color: var(--muted); margin: 0 0 4px; }
.freshness { margin: 0 0 12px; font-size: 13px; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 18px; list-style: none; padding: 0; margin: 0 0 16px; }
nav a { color: var(--accent); text-decoration: none; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 20px; margin: 0 0 18px; }
.what { margin: 0 0 2px; font-weight: 500; }
.grain { margin: 0 0 12px; color: var(--muted); font-size: 13px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eef2f6; padding: 1px 4px; border-radius: 3px; }
.scroll { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #f0f3f6; font-weight: 600; white-space: normal; vertical-align: bottom; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; margin: 8px 0; }
figure { margin: 0; max-width: 100%; }
figcaption { font-weight: 600; font-size: 13px; margin: 0 0 4px; max-width: 560px; }
svg.chart { display: block; max-width: 100%; height: auto; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card-label { color: var(--muted); font-size: 12px; }
.card-value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-size: 13px; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 32px; }
`;
