import type { ChartSpec } from "../charts/render";

/**
 * Charts for the renderer's tests, each a different dataflow: a layered line with a title, a
 * legend and a rule (text and legends are what differs between renderers, if anything does), a
 * heatmap with a colour scale, and facets.
 */
export const SAMPLE_CHARTS: readonly [string, ChartSpec][] = [
  [
    "layered",
    {
      title: "Kept or compiled",
      data: { values: [1, 2, 3, 4].map((x) => ({ x, y: x * x, kind: x % 2 ? "odd" : "even" })) },
      encoding: { x: { field: "x", type: "quantitative" } },
      layer: [
        {
          mark: "line",
          encoding: {
            y: { field: "y", type: "quantitative" },
            color: { field: "kind", type: "nominal" },
          },
        },
        { mark: { type: "rule", strokeDash: [2, 2] }, encoding: { y: { datum: 5 } } },
      ],
    },
  ],
  [
    "heatmap",
    {
      data: { values: [0, 1, 2].flatMap((a) => [0, 1].map((b) => ({ a, b, v: a * 2 + b }))) },
      mark: "rect",
      encoding: {
        x: { field: "a", type: "ordinal" },
        y: { field: "b", type: "ordinal" },
        color: { field: "v", type: "quantitative" },
      },
    },
  ],
  [
    "facets",
    {
      data: { values: ["a", "b"].flatMap((c) => [1, 2].map((m) => ({ c, m, r: m * 10 }))) },
      facet: { field: "c", type: "nominal" },
      spec: {
        mark: "bar",
        encoding: {
          x: { field: "m", type: "ordinal" },
          y: { field: "r", type: "quantitative" },
        },
      },
    },
  ],
];
