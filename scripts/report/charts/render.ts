import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { escapeHtml } from "../format";
import { rendererArgs } from "./rendererSnapshot";

/**
 * The report's charts: Vega-Lite specifications rendered to static SVG when the report is built
 * (vega's headless renderer, no canvas, no script in the page), so the page stays one file that
 * opens from disk. Every mark carries a `<title>`, the browser's hover tooltip, from its
 * `description` (Vega writes it as the mark's aria-label).
 */

/** A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html), as plain JSON. */
export type ChartSpec = Record<string, unknown>;

/**
 * Collects the charts of a report and renders each as it is added. The renderer processes start
 * with the set: starting Node and importing vega takes about half a second, which then passes
 * while the report's first sections query the warehouse (0.6 s before the first chart), and each
 * chart is laid out while the sections after it query (the charts are about 1.5 s of CPU).
 * `close` stops them if the report fails before `render`.
 */
export class ChartSet {
  private readonly titles: string[] = [];
  private renderers: Renderer[] | null;

  /** Starts `processes` renderers (default `RENDERERS`; a test starts two to see one stop both). */
  constructor(processes = RENDERERS) {
    this.renderers = Array.from({ length: processes }, startRenderer);
  }

  /**
   * Adds a chart and hands it to a renderer; returns the markup that stands for it until
   * `render` fills it in. The title is the figure's caption, in HTML, so a long one wraps
   * instead of widening the chart.
   */
  add(title: string, spec: ChartSpec): string {
    if (this.renderers === null) throw new Error("charts were added after the report rendered");
    const index = this.titles.length;
    this.titles.push(title);
    // Chart i goes to renderer i mod n: which process draws a chart never depends on timing.
    this.renderers[index % this.renderers.length]!.send(title, { ...BASE_CONFIG, ...spec });
    return (
      `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption>` +
      `${placeholder(index)}</figure>`
    );
  }

  get size(): number {
    return this.titles.length;
  }

  /** Waits for every chart's SVG and puts it in place of its placeholder in `html`. */
  async render(html: string): Promise<string> {
    const renderers = this.renderers ?? [];
    // Kept until every renderer has answered: if one fails, `close` stops the others.
    const svgs = await collect(renderers, this.titles.length);
    this.renderers = null;
    return html.replace(/<!--chart:(\d+)-->/g, (_m, i: string) =>
      decorateSvg(uniqueIds(svgs[Number(i)]!, `c${i}-`), this.titles[Number(i)]!),
    );
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
 * Renderer processes: one. One process lays out the report's 28 charts in about 0.8 s (0.4 s once
 * warm) after loading vega in 0.2 s; a second one loads vega and warms up again, and beside the
 * report's queries it only competes for the same two cores. `npm start`'s report took 1.36-1.64 s
 * with one against 1.60-2.06 s with two (four alternating runs), a report on its own 1.86-2.11 s
 * against 2.00-2.40 s (three).
 */
const RENDERERS = 1;

/**
 * Closes the renderers' input and waits for their SVGs: spec i went to renderer i mod n, and each
 * renderer answers its specs in the order it was given them.
 */
async function collect(renderers: readonly Renderer[], count: number): Promise<string[]> {
  const rendered = await Promise.all(renderers.map((r) => r.finish()));
  const returned = rendered.reduce((n, r) => n + r.length, 0);
  if (returned !== count)
    throw new Error(`chart rendering returned ${returned} charts for ${count}`);
  return Array.from(
    { length: count },
    (_, i) => rendered[i % renderers.length]![Math.floor(i / renderers.length)]!,
  );
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

/**
 * A running renderer script (vega is ES-module only): specs go to its stdin as they come, one JSON
 * line each (`{ name, spec }`); one JSON line with the SVG comes back for each, in order.
 */
interface Renderer {
  readonly child: ChildProcessWithoutNullStreams;
  /** Hands it one more spec, with the chart's name for its error message. */
  send(name: string, spec: ChartSpec): void;
  /** Ends its input; resolves to one SVG per spec it was sent, once it exits. */
  finish(): Promise<string[]>;
}

/**
 * Starts a renderer (from its kept startup snapshot, or its script: `rendererSnapshot.ts`), which
 * renders each spec as it arrives.
 */
function startRenderer(): Renderer {
  const child = spawn(process.execPath, rendererArgs(), { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  // Decoded as a stream: a chunk may end inside a character.
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (c: string) => (stdout += c));
  child.stderr.on("data", (c: string) => (stderr += c));
  // A renderer that died before its specs came (a broken install) is reported by its exit code.
  child.stdin.on("error", () => undefined);
  const output = new Promise<string[]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0)
        reject(new Error(`chart rendering failed (exit ${code}): ${stderr.trim().split("\n")[0]}`));
      else
        resolve(
          stdout
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as string),
        );
    });
  });
  output.catch(() => undefined); // awaited by finish(); a renderer closed unused fails quietly
  return {
    child,
    send: (name, spec) => void child.stdin.write(`${JSON.stringify({ name, spec })}\n`),
    finish: () => {
      child.stdin.end();
      return output;
    },
  };
}
