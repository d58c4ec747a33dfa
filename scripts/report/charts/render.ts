import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
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

/**
 * Collects the charts of a report and renders them all at the end. The renderer processes start
 * when the first chart is added: starting Node and importing vega takes about half a second,
 * which then passes while the report's other sections still query the warehouse.
 */
export class ChartSet {
  private readonly charts: { spec: ChartSpec; title: string }[] = [];
  private renderers: Renderer[] | null = null;

  /**
   * Adds a chart; returns the markup that stands for it until `render` fills it in. The title is
   * the figure's caption, in HTML, so a long one wraps instead of widening the chart.
   */
  add(title: string, spec: ChartSpec): string {
    this.charts.push({ spec: { ...BASE_CONFIG, ...spec }, title });
    this.renderers ??= Array.from({ length: RENDERERS }, startRenderer);
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
    const renderers = this.renderers ?? [];
    this.renderers = null;
    const svgs = await renderSvgs(
      this.charts.map((c) => c.spec),
      renderers,
    );
    return html.replace(/<!--chart:(\d+)-->/g, (_m, i: string) => {
      const chart = this.charts[Number(i)]!;
      return decorateSvg(uniqueIds(svgs[Number(i)]!, `c${i}-`), chart.title);
    });
  }

  /** Stops renderers started for charts that will not be rendered (the report failed first). */
  close(): void {
    for (const renderer of this.renderers ?? []) renderer.child.kill();
    this.renderers = null;
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
 * Renderer processes side by side: laying out the report's two dozen charts took ~3 s of CPU in
 * one process.
 */
const RENDERERS = Math.min(2, availableParallelism());

/**
 * Renders the specs in the given renderer processes, started ahead (`startRenderer`), or in
 * new ones: two side by side when there are enough specs. Every renderer given is handed its
 * share, an empty one if need be, so none is left waiting. One SVG per spec, in order.
 */
export async function renderSvgs(
  specs: readonly ChartSpec[],
  started: readonly Renderer[] = [],
): Promise<string[]> {
  const renderers =
    started.length > 0
      ? started
      : Array.from({ length: specs.length >= 8 ? RENDERERS : 1 }, startRenderer);
  const workers = renderers.length;
  const rendered = await Promise.all(
    renderers.map((renderer, w) =>
      render(
        renderer,
        specs.filter((_, i) => i % workers === w),
      ),
    ),
  );
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

/** A running renderer script (vega is ES-module only): specs go to its stdin, SVGs come back. */
interface Renderer {
  readonly child: ChildProcessWithoutNullStreams;
  /** Its stdout parsed once it exits: one SVG per spec it was given. */
  readonly output: Promise<string[]>;
}

/** Starts the renderer script, which loads vega and then waits for its specs on stdin. */
function startRenderer(): Renderer {
  const child = spawn(process.execPath, [join(__dirname, "renderSvg.mjs")], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  // A renderer that died before its specs came (a broken install) is reported by its exit code.
  child.stdin.on("error", () => undefined);
  const output = new Promise<string[]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0)
        reject(new Error(`chart rendering failed (exit ${code}): ${stderr.trim().split("\n")[0]}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
  output.catch(() => undefined); // awaited by render(); a renderer closed unused fails quietly
  return { child, output };
}

/** Hands a renderer its specs and waits for their SVGs, in order. */
async function render(renderer: Renderer, specs: readonly ChartSpec[]): Promise<string[]> {
  renderer.child.stdin.end(JSON.stringify(specs));
  const svgs = await renderer.output;
  if (svgs.length !== specs.length)
    throw new Error(`chart rendering returned ${svgs.length} charts for ${specs.length}`);
  return svgs;
}
