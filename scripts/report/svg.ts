/**
 * Small inline SVG charts for the report: pure functions from values to markup, with the geometry
 * in separate functions (`linearScale`, `barLayout`, `linePath`, ...) so a test can check that a
 * value lands on the right coordinate without rendering anything. No library, no script: the
 * report must open from a file on a laptop with no network.
 */
import { escapeHtml } from "./format";

/** A colour-blind-safe palette (Okabe-Ito, then darker tones) for series and bars. */
export const PALETTE = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
  "#7F7F7F",
  "#8C564B",
] as const;

/** The colour of series `index`, cycling through the palette. */
export function seriesColor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

/** Maps a value of `domain` linearly onto `range`; a zero-width domain maps to the range start. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value) => (span === 0 ? r0 : r0 + ((value - d0) / span) * (r1 - r0));
}

/** The smallest of 1, 2, 5 x 10^k at or above `value`: a round tick step. 0 stays 0. */
export function niceStep(value: number): number {
  if (!(value > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value * (1 - 1e-12)) return step * power;
  }
  return 10 * power;
}

/**
 * Ticks from 0 to a round axis end at or above `largest`: about `count` intervals of a round step
 * (1, 2 or 5 x 10^k), so labels read 0, 10%, 20%, ... and never 12.5%. The last tick is the axis
 * end.
 */
export function axisTicks(largest: number, count = 4): number[] {
  const step = niceStep(largest / count);
  if (step === 0) return [0, 1];
  const intervals = Math.max(1, Math.ceil(largest / step - 1e-9));
  return Array.from({ length: intervals + 1 }, (_, i) => round12(i * step));
}

/** `count + 1` evenly spaced ticks from 0 to `max` (an axis end fixed by the caller). */
export function ticks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0];
  return Array.from({ length: count + 1 }, (_, i) => round12((max * i) / count));
}

const round12 = (value: number): number => Math.round(value * 1e12) / 1e12;

/** Rounds a coordinate to 0.1 px so the markup stays short and stable. */
export const px = (value: number): number => Math.round(value * 10) / 10;

export interface Bar {
  readonly label: string;
  readonly value: number | null;
}

export interface BarRect {
  readonly label: string;
  readonly value: number | null;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface BarChartOptions {
  readonly title: string;
  readonly bars: readonly Bar[];
  readonly format: (value: number) => string;
  readonly width?: number;
  /** Height of one bar's row, bar plus gap. */
  readonly rowHeight?: number;
  /** Width kept left of the bars for their labels. */
  readonly labelWidth?: number;
  /** Axis end; default a round number at or above the largest value. */
  readonly max?: number;
}

const BAR_DEFAULTS = { width: 560, rowHeight: 26, labelWidth: 170 };
const BAR_VALUE_SPACE = 80;
const AXIS_SPACE = 22;

/**
 * Where each horizontal bar goes: bar i starts at the plot's left edge, in row i, and its width
 * is proportional to its value on an axis from 0 to `max` (negative and null values draw no
 * bar).
 */
export function barLayout(options: BarChartOptions): {
  rects: BarRect[];
  max: number;
  ticks: number[];
} {
  const { width, rowHeight, labelWidth } = { ...BAR_DEFAULTS, ...options };
  const largest = Math.max(0, ...options.bars.map((b) => b.value ?? 0));
  const axis = options.max !== undefined ? ticks(options.max) : axisTicks(largest);
  const max = axis[axis.length - 1]!;
  const scale = linearScale([0, max], [0, width - labelWidth - BAR_VALUE_SPACE]);
  const rects = options.bars.map((bar, i) => ({
    label: bar.label,
    value: bar.value,
    x: labelWidth,
    y: i * rowHeight + 4,
    width: px(Math.max(0, scale(Math.max(0, bar.value ?? 0)))),
    height: rowHeight - 8,
  }));
  return { rects, max, ticks: axis };
}

/** A horizontal bar chart: one labelled bar per value, the value printed at the bar's end. */
export function barChart(options: BarChartOptions): string {
  const { width, rowHeight, labelWidth } = { ...BAR_DEFAULTS, ...options };
  const { rects, max, ticks: axis } = barLayout(options);
  const plotHeight = rects.length * rowHeight;
  const height = plotHeight + AXIS_SPACE;
  const scale = linearScale([0, max], [labelWidth, width - BAR_VALUE_SPACE]);
  const grid = axis
    .map((t) => {
      const x = px(scale(t));
      return (
        `<line class="grid" x1="${x}" y1="0" x2="${x}" y2="${plotHeight}"/>` +
        `<text class="tick" x="${x}" y="${plotHeight + 15}" text-anchor="middle">${escapeHtml(options.format(t))}</text>`
      );
    })
    .join("");
  const bars = rects
    .map((r, i) => {
      const mid = px(r.y + r.height / 2 + 4);
      const shown = r.value === null ? "–" : options.format(r.value);
      return (
        `<text class="label" x="${labelWidth - 8}" y="${mid}" text-anchor="end">${escapeHtml(r.label)}</text>` +
        `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" fill="${seriesColor(i)}"/>` +
        `<text class="value" x="${px(r.x + r.width + 6)}" y="${mid}">${escapeHtml(shown)}</text>`
      );
    })
    .join("");
  return svgRoot(options.title, width, height, grid + bars);
}

export interface Series {
  readonly name: string;
  /** One value per x label; null leaves a gap. */
  readonly values: readonly (number | null)[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabels: readonly string[];
  readonly series: readonly Series[];
  readonly format: (value: number) => string;
  readonly width?: number;
  readonly height?: number;
}

/** The plot area inside a line or scatter chart's frame. */
export interface Plot {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

const LINE_DEFAULTS = { width: 760, height: 300 };
const LINE_PLOT = { left: 70, top: 12, rightSpace: 16, bottomSpace: 46 };

/** The line chart's plot rectangle for a frame of `width` x `height`. */
export function linePlot(width: number, height: number): Plot {
  return {
    left: LINE_PLOT.left,
    top: LINE_PLOT.top,
    right: width - LINE_PLOT.rightSpace,
    bottom: height - LINE_PLOT.bottomSpace,
  };
}

/**
 * The SVG path of one series: x label i at an even step from the plot's left to its right edge,
 * the value on a y axis from 0 (bottom) to `max` (top). A null value ends a stretch of line; the
 * next value starts a new one (`M`).
 */
export function linePath(values: readonly (number | null)[], plot: Plot, max: number): string {
  const x = linearScale([0, Math.max(1, values.length - 1)], [plot.left, plot.right]);
  const y = linearScale([0, max], [plot.bottom, plot.top]);
  let path = "";
  let drawing = false;
  values.forEach((value, i) => {
    if (value === null) {
      drawing = false;
      return;
    }
    path += `${drawing ? "L" : "M"}${px(x(i))},${px(y(value))}`;
    drawing = true;
  });
  return path;
}

/** Which x labels to print: at most about `room` of them, evenly spaced, always the first. */
export function labelStride(count: number, room: number): number {
  return Math.max(1, Math.ceil(count / Math.max(1, room)));
}

/** A multi-series line chart over shared x labels (for example months), with a legend. */
export function lineChart(options: LineChartOptions): string {
  const { width, height } = { ...LINE_DEFAULTS, ...options };
  const plot = linePlot(width, height);
  const largest = Math.max(0, ...options.series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const axis = axisTicks(largest);
  const max = axis[axis.length - 1]!;
  const y = linearScale([0, max], [plot.bottom, plot.top]);
  const n = options.xLabels.length;
  const x = linearScale([0, Math.max(1, n - 1)], [plot.left, plot.right]);
  const grid = axis
    .map((t) => {
      const ty = px(y(t));
      return (
        `<line class="grid" x1="${plot.left}" y1="${ty}" x2="${plot.right}" y2="${ty}"/>` +
        `<text class="tick" x="${plot.left - 6}" y="${px(ty + 4)}" text-anchor="end">${escapeHtml(options.format(t))}</text>`
      );
    })
    .join("");
  const stride = labelStride(n, Math.floor((plot.right - plot.left) / 60));
  const xTicks = options.xLabels
    .map((label, i) =>
      i % stride === 0
        ? `<text class="tick" x="${px(x(i))}" y="${plot.bottom + 16}" text-anchor="middle">${escapeHtml(label)}</text>`
        : "",
    )
    .join("");
  const lines = options.series
    .map(
      (s, i) =>
        `<path d="${linePath(s.values, plot, max)}" fill="none" stroke="${seriesColor(i)}" stroke-width="2"><title>${escapeHtml(s.name)}</title></path>`,
    )
    .join("");
  const legend = legendItems(
    options.series.map((s) => s.name),
    plot.left,
    height - 14,
    width - plot.left,
  );
  return svgRoot(options.title, width, legend.bottom + 6, grid + xTicks + lines + legend.markup);
}

export interface ScatterPoint {
  readonly label: string;
  readonly x: number | null;
  readonly y: number | null;
}

export interface ScatterChartOptions {
  readonly title: string;
  readonly points: readonly ScatterPoint[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly formatX: (value: number) => string;
  readonly formatY: (value: number) => string;
  readonly width?: number;
  readonly height?: number;
}

const SCATTER_DEFAULTS = { width: 560, height: 320 };
const SCATTER_PLOT = { left: 70, top: 14, rightSpace: 24, bottomSpace: 48 };

/** The scatter chart's plot rectangle for a frame of `width` x `height`. */
export function scatterPlot(width: number, height: number): Plot {
  return {
    left: SCATTER_PLOT.left,
    top: SCATTER_PLOT.top,
    right: width - SCATTER_PLOT.rightSpace,
    bottom: height - SCATTER_PLOT.bottomSpace,
  };
}

/**
 * Where each point goes: x and y each on an axis from 0 to a round number at or above the
 * largest value, y growing upwards. Points missing a coordinate are left out.
 */
export function scatterLayout(
  points: readonly ScatterPoint[],
  plot: Plot,
): {
  placed: { label: string; cx: number; cy: number }[];
  xTicks: number[];
  yTicks: number[];
} {
  const xTicks = axisTicks(Math.max(0, ...points.map((p) => p.x ?? 0)));
  const yTicks = axisTicks(Math.max(0, ...points.map((p) => p.y ?? 0)));
  const maxX = xTicks[xTicks.length - 1]!;
  const maxY = yTicks[yTicks.length - 1]!;
  const sx = linearScale([0, maxX], [plot.left, plot.right]);
  const sy = linearScale([0, maxY], [plot.bottom, plot.top]);
  const placed = points
    .filter((p) => p.x !== null && p.y !== null)
    .map((p) => ({ label: p.label, cx: px(sx(p.x!)), cy: px(sy(p.y!)) }));
  return { placed, xTicks, yTicks };
}

/** A labelled scatter chart: one dot per segment, for two measures that trade off. */
export function scatterChart(options: ScatterChartOptions): string {
  const { width, height } = { ...SCATTER_DEFAULTS, ...options };
  const plot = scatterPlot(width, height);
  const { placed, xTicks, yTicks } = scatterLayout(options.points, plot);
  const maxX = xTicks[xTicks.length - 1]!;
  const maxY = yTicks[yTicks.length - 1]!;
  const sx = linearScale([0, maxX], [plot.left, plot.right]);
  const sy = linearScale([0, maxY], [plot.bottom, plot.top]);
  const grid =
    yTicks
      .map((t) => {
        const ty = px(sy(t));
        return (
          `<line class="grid" x1="${plot.left}" y1="${ty}" x2="${plot.right}" y2="${ty}"/>` +
          `<text class="tick" x="${plot.left - 6}" y="${px(ty + 4)}" text-anchor="end">${escapeHtml(options.formatY(t))}</text>`
        );
      })
      .join("") +
    xTicks
      .map((t) => {
        const tx = px(sx(t));
        return (
          `<line class="grid" x1="${tx}" y1="${plot.top}" x2="${tx}" y2="${plot.bottom}"/>` +
          `<text class="tick" x="${tx}" y="${plot.bottom + 16}" text-anchor="middle">${escapeHtml(options.formatX(t))}</text>`
        );
      })
      .join("");
  const axes =
    `<text class="axis" x="${px((plot.left + plot.right) / 2)}" y="${height - 8}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>` +
    `<text class="axis" x="14" y="${px((plot.top + plot.bottom) / 2)}" text-anchor="middle" transform="rotate(-90 14 ${px((plot.top + plot.bottom) / 2)})">${escapeHtml(options.yLabel)}</text>`;
  const dots = placed
    .map(
      (p, i) =>
        `<circle cx="${p.cx}" cy="${p.cy}" r="6" fill="${seriesColor(i)}"/>` +
        `<text class="label" x="${px(p.cx + 9)}" y="${px(p.cy + 4)}">${escapeHtml(p.label)}</text>`,
    )
    .join("");
  return svgRoot(options.title, width, height, grid + axes + dots);
}

/**
 * The background of a heatmap cell: white at 0, the palette's blue at `max`, linear in between
 * (values outside [0, max] are clamped). Null gets no colour.
 */
export function heatColor(value: number | null, max = 1): string | null {
  if (value === null || !Number.isFinite(value)) return null;
  const t = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  const mix = (from: number, to: number) => Math.round(from + (to - from) * t);
  return `rgb(${mix(255, 0)}, ${mix(255, 114)}, ${mix(255, 178)})`;
}

/**
 * Black or white, whichever reads better on an `rgb(r, g, b)` or `#rrggbb` background (by its
 * relative luminance), so numbers stay legible on the darkest heatmap cells.
 */
export function contrastText(background: string): "#000" | "#fff" {
  const rgb = background.match(/^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/);
  const hex = background.match(/^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i);
  const channels = rgb
    ? rgb.slice(1, 4).map(Number)
    : hex
      ? hex.slice(1, 4).map((h) => parseInt(h, 16))
      : null;
  if (!channels) throw new Error(`"${background}" is not an rgb() or #rrggbb colour`);
  const linear = channels.map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * linear[0]! + 0.7152 * linear[1]! + 0.0722 * linear[2]!;
  return luminance > 0.179 ? "#000" : "#fff";
}

/** A legend row of coloured swatches and names, wrapping to the next line when full. */
function legendItems(
  names: readonly string[],
  left: number,
  top: number,
  width: number,
): { markup: string; bottom: number } {
  let x = left;
  let y = top;
  const markup = names
    .map((name, i) => {
      const itemWidth = 22 + Math.min(name.length, 24) * 7;
      if (x + itemWidth > left + width && x > left) {
        x = left;
        y += 16;
      }
      const item =
        `<rect x="${x}" y="${y - 9}" width="12" height="10" fill="${seriesColor(i)}"/>` +
        `<text class="legend" x="${x + 16}" y="${y}">${escapeHtml(name)}</text>`;
      x += itemWidth;
      return item;
    })
    .join("");
  return { markup, bottom: y + 4 };
}

/** Height of the visible title line above every chart's body. */
export const TITLE_SPACE = 24;

function svgRoot(title: string, width: number, height: number, body: string): string {
  const total = height + TITLE_SPACE;
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}">` +
    `<title>${escapeHtml(title)}</title>` +
    `<text class="chart-title" x="0" y="15">${escapeHtml(title)}</text>` +
    `<g transform="translate(0 ${TITLE_SPACE})">${body}</g></svg>`
  );
}
