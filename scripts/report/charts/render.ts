import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { escapeHtml } from "../format";

/**
 * The report's charts: Vega-Lite specifications rendered to static SVG when the report is built
 * (vega's headless renderer, no canvas, no script in the page), so the page stays one file that
 * opens from disk. Every mark carries a `<title>`, the browser's hover tooltip, from its
 * `description` (Vega writes it as the mark's aria-label).
 */

/** A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html), as plain JSON. */
export type ChartSpec = Record<string, unknown>;

/** Collects the charts of a report and renders them all in one renderer process. */
export class ChartSet {
  private readonly charts: { spec: ChartSpec; title: string }[] = [];

  /**
   * Adds a chart; returns the markup that stands for it until `render` fills it in. The title is
   * the figure's caption, in HTML, so a long one wraps instead of widening the chart.
   */
  add(title: string, spec: ChartSpec): string {
    this.charts.push({ spec: { ...BASE_CONFIG, ...spec }, title });
    return (
      `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption>` +
      `${placeholder(this.charts.length - 1)}</figure>`
    );
  }

  get size(): number {
    return this.charts.length;
  }

  /** Renders every chart and puts its SVG in place of its placeholder in `html`. */
  async render(html: string): Promise<string> {
    const svgs = await renderSvgs(this.charts.map((c) => c.spec));
    return html.replace(/<!--chart:(\d+)-->/g, (_m, i: string) => {
      const chart = this.charts[Number(i)]!;
      return decorateSvg(uniqueIds(svgs[Number(i)]!, `c${i}-`), chart.title);
    });
  }
}

function placeholder(index: number): string {
  return `<!--chart:${index}-->`;
}

/** Fonts, sizes and colours shared by every chart, so the charts read as one report. */
const BASE_CONFIG: ChartSpec = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  config: {
    font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    title: { fontSize: 13, anchor: "start", fontWeight: 600, color: "#1d2733" },
    axis: {
      labelColor: "#5b6673",
      titleColor: "#1d2733",
      gridColor: "#e3e8ee",
      domainColor: "#c5ccd4",
    },
    legend: { labelColor: "#1d2733", titleColor: "#1d2733", orient: "bottom", columns: 5 },
    view: { stroke: null },
  },
};

/**
 * Adds a `<title>` (the hover tooltip) inside every mark that has an aria-label, a class and a
 * role to the SVG element, and its title as its accessible name. Axes, legends and titles are
 * marked `graphics-symbol` by Vega too, with their own descriptions; they are left alone.
 */
export function decorateSvg(svg: string, title: string): string {
  const marks = svg.replace(
    /<(path|rect|circle|line|text|symbol)\b([^>]*?\saria-label="([^"]*)"[^>]*?\saria-roledescription="([^"]*)"[^>]*?)(\/?)>/g,
    (whole, tag: string, attributes: string, label: string, role: string, selfClosing: string) => {
      if (/^(axis|legend|title)$/.test(role)) return whole;
      return selfClosing
        ? `<${tag}${attributes}><title>${label}</title></${tag}>`
        : `<${tag}${attributes}><title>${label}</title>`;
    },
  );
  return marks
    .replace(
      /^<svg /,
      `<svg role="img" aria-label="${escapeHtml(title)}" data-chart="${escapeHtml(title)}" `,
    )
    .replace(/class="marks"/, 'class="marks chart"');
}

/**
 * Renders the specs in two renderer processes side by side when there are enough of them:
 * laying out the report's two dozen charts took ~3 s of CPU in one process. One SVG per spec,
 * in order.
 */
export async function renderSvgs(specs: readonly ChartSpec[]): Promise<string[]> {
  const workers = specs.length >= 8 ? Math.min(2, availableParallelism()) : 1;
  const shares = Array.from({ length: workers }, (_, w) =>
    specs.filter((_, i) => i % workers === w),
  );
  const rendered = await Promise.all(shares.map(renderInOneProcess));
  return specs.map((_, i) => rendered[i % workers]![Math.floor(i / workers)]!);
}

/**
 * Prefixes the ids an SVG defines (legend gradients, clip paths) and its references to them: Vega
 * numbers them from 0 in every chart, and two charts in one page would share `gradient_0`.
 */
export function uniqueIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
}

/** Runs the renderer script (vega is ES-module only) on the specs; one SVG per spec, in order. */
function renderInOneProcess(specs: readonly ChartSpec[]): Promise<string[]> {
  if (specs.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, "renderSvg.mjs")], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`chart rendering failed (exit ${code}): ${stderr.trim().split("\n")[0]}`));
        return;
      }
      const svgs = JSON.parse(stdout) as string[];
      if (svgs.length !== specs.length) {
        reject(new Error(`chart rendering returned ${svgs.length} charts for ${specs.length}`));
      } else resolve(svgs);
    });
    child.stdin.end(JSON.stringify(specs));
  });
}
