import { ACCENT, colourScale, type ColourFamily } from "../palette";
import type { ChartSpec } from "./render";

/**
 * Small builders of Vega-Lite specs for the report's usual charts. Every datum carries a `tip`
 * (the text of its tooltip, formatted by the report's formatters) that becomes its mark's
 * description, so hover text reads like the tables, not like raw floats.
 */

/** One datum: its fields plus the tooltip text. */
export type Datum = Record<string, string | number | boolean | null> & { tip: string };

export interface Axis {
  readonly field: string;
  /** The axis title; null for none (a date axis under a titled chart). */
  readonly title: string | null;
  /** A d3 format for the axis labels, for example `.0%` or `,.0f`. */
  readonly format?: string;
  readonly type?: "quantitative" | "temporal" | "nominal" | "ordinal";
  /** Category order, for nominal axes. */
  readonly sort?: readonly string[] | null;
}

const axisEncoding = (a: Axis, defaultType: Axis["type"]) => ({
  field: a.field,
  type: a.type ?? defaultType,
  title: a.title,
  ...(a.sort !== undefined ? { sort: a.sort } : {}),
  ...(a.format ? { axis: { format: a.format } } : {}),
});

/** A colour channel from the shared palette, so a label has one colour in every chart. */
export function colourBy(
  field: string,
  family: ColourFamily,
  values: readonly string[],
  title?: string,
) {
  return {
    field,
    type: "nominal",
    title: title ?? null,
    scale: colourScale(family, [...new Set(values)]),
  };
}

/** Lines over time (or any ordered x), one per series when `series` is given, with hoverable points. */
export function lineSpec(options: {
  data: readonly Datum[];
  x: Axis;
  y: Axis;
  series?: { field: string; family: ColourFamily };
  width?: number;
  height?: number;
}): ChartSpec {
  const { data, x, y, series } = options;
  const colour = series
    ? {
        color: colourBy(
          series.field,
          series.family,
          data.map((d) => String(d[series.field])),
        ),
      }
    : {};
  return {
    width: options.width ?? 460,
    height: options.height ?? 160,
    data: { values: data },
    encoding: {
      x: axisEncoding(x, "temporal"),
      y: axisEncoding(y, "quantitative"),
      ...colour,
    },
    layer: [
      {
        mark: { type: "line", strokeWidth: 1.8, ...(series ? {} : { color: ACCENT }) },
        encoding: { description: series ? { field: series.field } : { value: y.title ?? "" } },
      },
      {
        mark: { type: "point", filled: true, size: 22, ...(series ? {} : { color: ACCENT }) },
        encoding: { description: { field: "tip" } },
      },
    ],
  };
}

/** Bars, horizontal by default (long labels read better), coloured by a palette family or one accent. */
export function barSpec(options: {
  data: readonly Datum[];
  category: Axis;
  value: Axis;
  colour?: { field: string; family: ColourFamily };
  vertical?: boolean;
  width?: number;
  height?: number;
  /** A second category, bars side by side within each first one. */
  offset?: string;
  /** A field whose text is written at the end of each bar. */
  label?: string;
}): ChartSpec {
  const { data, category, value, colour } = options;
  const horizontal = !options.vertical;
  const size = horizontal
    ? { height: options.height ?? { step: options.offset ? 9 : 22 } }
    : { height: options.height ?? 200 };
  // A colour that repeats the bar's own label needs no legend.
  const legend = colour?.field === category.field ? { legend: null } : {};
  const bar = {
    mark: { type: "bar", ...(colour ? {} : { color: ACCENT }) },
    encoding: {
      ...(colour
        ? {
            color: {
              ...colourBy(
                colour.field,
                colour.family,
                data.map((d) => String(d[colour.field])),
              ),
              ...legend,
            },
          }
        : {}),
      description: { field: "tip" },
    },
  };
  const label = options.label
    ? [
        {
          mark: horizontal
            ? { type: "text", align: "left", dx: 4, fontSize: 11, color: "#1d2733" }
            : { type: "text", baseline: "bottom", dy: -3, fontSize: 11, color: "#1d2733" },
          encoding: { text: { field: options.label }, description: { field: "tip" } },
        },
      ]
    : [];
  return {
    width: options.width ?? 460,
    ...size,
    data: { values: data },
    encoding: {
      [horizontal ? "y" : "x"]: {
        ...axisEncoding({ ...category, sort: category.sort ?? null }, "nominal"),
        // Short category labels under vertical bars read level.
        ...(horizontal ? {} : { axis: { labelAngle: 0 } }),
      },
      [horizontal ? "x" : "y"]: axisEncoding(value, "quantitative"),
      ...(options.offset
        ? { [horizontal ? "yOffset" : "xOffset"]: { field: options.offset } }
        : {}),
    },
    layer: [bar, ...label],
  };
}

/** Labelled points: one per segment, x against y, coloured by the segment's palette. */
export function scatterSpec(options: {
  data: readonly Datum[];
  x: Axis;
  y: Axis;
  label: string;
  family: ColourFamily;
  width?: number;
  height?: number;
}): ChartSpec {
  const { data, x, y, label, family } = options;
  return {
    width: options.width ?? 440,
    height: options.height ?? 260,
    data: { values: data },
    encoding: {
      x: { ...axisEncoding(x, "quantitative"), scale: { zero: false, padding: 20 } },
      y: { ...axisEncoding(y, "quantitative"), scale: { zero: false, padding: 20 } },
    },
    layer: [
      {
        mark: { type: "point", filled: true, size: 140, opacity: 0.9 },
        encoding: {
          color: {
            ...colourBy(
              label,
              family,
              data.map((d) => String(d[label])),
            ),
            legend: null,
          },
          description: { field: "tip" },
        },
      },
      {
        mark: { type: "text", align: "left", dx: 9, dy: -7, fontSize: 12, color: "#1d2733" },
        encoding: { text: { field: label }, description: { field: "tip" } },
      },
    ],
  };
}
