import { markupProblems } from "./testing/markup";
import {
  axisTicks,
  barChart,
  barLayout,
  contrastText,
  heatColor,
  labelStride,
  lineChart,
  linePath,
  linearScale,
  niceStep,
  scatterChart,
  scatterLayout,
  seriesColor,
  ticks,
  TITLE_SPACE,
} from "./svg";

describe("linearScale", () => {
  it("maps the domain's ends to the range's ends and the middle to the middle", () => {
    const scale = linearScale([0, 200], [10, 110]);
    expect(scale(0)).toBe(10);
    expect(scale(200)).toBe(110);
    expect(scale(50)).toBe(35);
  });

  it("inverts for a y axis that grows upwards", () => {
    const y = linearScale([0, 1], [300, 20]);
    expect(y(0)).toBe(300);
    expect(y(1)).toBe(20);
    expect(y(0.25)).toBe(230);
  });

  it("maps everything to the range start when the domain has no width", () => {
    expect(linearScale([5, 5], [0, 100])(5)).toBe(0);
  });
});

describe("axis ticks", () => {
  it("picks 1, 2 or 5 times a power of ten as the step", () => {
    expect(niceStep(0.08)).toBe(0.1);
    expect(niceStep(27.45)).toBe(50);
    expect(niceStep(121.7)).toBe(200);
    expect(niceStep(2)).toBe(2);
    expect(niceStep(0)).toBe(0);
  });

  it("ends the axis on the first round step at or above the largest value", () => {
    expect(axisTicks(0.319)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(axisTicks(109.81)).toEqual([0, 50, 100, 150]);
    expect(axisTicks(100)).toEqual([0, 50, 100]);
    expect(axisTicks(0)).toEqual([0, 1]);
  });

  it("splits a fixed axis end evenly", () => {
    expect(ticks(1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe("barLayout", () => {
  const options = {
    title: "t",
    bars: [
      { label: "a", value: 100 },
      { label: "b", value: 50 },
      { label: "c", value: null },
      { label: "d", value: -5 },
    ],
    format: String,
    width: 500,
    labelWidth: 100,
    rowHeight: 20,
  };

  it("makes bar widths proportional to values on an axis from zero to a round end", () => {
    const { rects, max } = barLayout(options);
    expect(max).toBe(100);
    // Plot width = 500 - 100 (labels) - 80 (value text) = 320.
    expect(rects.map((r) => r.width)).toEqual([320, 160, 0, 0]);
    expect(rects.every((r) => r.x === 100)).toBe(true);
  });

  it("puts bar i in row i", () => {
    const { rects } = barLayout(options);
    expect(rects.map((r) => r.y)).toEqual([4, 24, 44, 64]);
    expect(rects[0]!.height).toBe(12);
  });

  it("honours a fixed axis end such as 100%", () => {
    const { rects } = barLayout({ ...options, bars: [{ label: "x", value: 0.5 }], max: 1 });
    expect(rects[0]!.width).toBe(160);
  });
});

describe("linePath", () => {
  const plot = { left: 0, top: 0, right: 100, bottom: 50 };

  it("spaces points evenly across the plot and puts the axis end at the top", () => {
    expect(linePath([0, 5, 10], plot, 10)).toBe("M0,50L50,25L100,0");
  });

  it("breaks the line at a missing value and starts again after it", () => {
    expect(linePath([10, null, 0, 10], plot, 10)).toBe("M0,0M66.7,50L100,0");
  });

  it("puts a single point on the left edge", () => {
    expect(linePath([5], plot, 10)).toBe("M0,25");
  });
});

describe("scatterLayout", () => {
  it("places each point by both coordinates and leaves out points missing one", () => {
    const plot = { left: 50, top: 10, right: 250, bottom: 210 };
    const { placed, xTicks, yTicks } = scatterLayout(
      [
        { label: "A", x: 0.3, y: 40 },
        { label: "B", x: 0.1, y: 100 },
        { label: "C", x: null, y: 10 },
      ],
      plot,
    );
    expect(xTicks.at(-1)).toBeCloseTo(0.3, 12);
    expect(yTicks.at(-1)).toBe(100);
    expect(placed).toEqual([
      { label: "A", cx: 250, cy: 130 },
      { label: "B", cx: 116.7, cy: 10 },
    ]);
  });
});

describe("colours", () => {
  it("shades a heatmap cell from white at zero to the palette blue at the maximum", () => {
    expect(heatColor(0)).toBe("rgb(255, 255, 255)");
    expect(heatColor(0.5, 0.5)).toBe("rgb(0, 114, 178)");
    expect(heatColor(0.25, 0.5)).toBe("rgb(128, 185, 217)");
    expect(heatColor(2)).toBe("rgb(0, 114, 178)");
    expect(heatColor(null)).toBeNull();
  });

  it("writes white on dark cells and black on light ones", () => {
    expect(contrastText("rgb(0, 114, 178)")).toBe("#fff");
    expect(contrastText("rgb(255, 255, 255)")).toBe("#000");
    expect(contrastText("#F0E442")).toBe("#000");
    expect(() => contrastText("red")).toThrow(/not an rgb/);
  });

  it("cycles the palette for more series than colours", () => {
    expect(seriesColor(0)).toBe(seriesColor(10));
    expect(seriesColor(1)).not.toBe(seriesColor(0));
  });

  it("prints at most about `room` x labels", () => {
    expect(labelStride(24, 17)).toBe(2);
    expect(labelStride(5, 17)).toBe(1);
  });
});

describe("chart markup", () => {
  const hostile = `<script>alert("x")</script>`;

  it("escapes labels, titles and series names, and stays well formed", () => {
    const charts = [
      barChart({ title: hostile, bars: [{ label: hostile, value: 1 }], format: String }),
      lineChart({
        title: hostile,
        xLabels: [hostile, "b"],
        series: [{ name: hostile, values: [1, 2] }],
        format: String,
      }),
      scatterChart({
        title: hostile,
        points: [{ label: hostile, x: 1, y: 1 }],
        xLabel: hostile,
        yLabel: hostile,
        formatX: String,
        formatY: String,
      }),
    ];
    for (const svg of charts) {
      expect(svg).not.toContain("<script");
      expect(svg).toContain("&lt;script&gt;");
      expect(markupProblems(svg)).toEqual([]);
    }
  });

  it("draws each bar where barLayout puts it, below the title line", () => {
    const options = {
      title: "t",
      bars: [
        { label: "a", value: 3 },
        { label: "b", value: 1 },
      ],
      format: String,
    };
    const svg = barChart(options);
    const drawn = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)].map((m) =>
      m.slice(1, 4).map(Number),
    );
    expect(drawn).toEqual(barLayout(options).rects.map((r) => [r.x, r.y, r.width]));
    expect(svg).toContain(`<g transform="translate(0 ${TITLE_SPACE})">`);
  });

  it("draws one path per series with the coordinates linePath computes", () => {
    const svg = lineChart({
      title: "t",
      xLabels: ["a", "b", "c"],
      series: [
        { name: "one", values: [0, 5, 10] },
        { name: "two", values: [10, 0, null] },
      ],
      format: String,
      width: 400,
      height: 200,
    });
    const paths = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
    // Plot: left 70, right 400 - 16, top 12, bottom 200 - 46; axis end 10.
    expect(paths).toEqual([
      linePath([0, 5, 10], { left: 70, top: 12, right: 384, bottom: 154 }, 10),
      linePath([10, 0, null], { left: 70, top: 12, right: 384, bottom: 154 }, 10),
    ]);
    expect(paths[0]).toBe("M70,154L227,83L384,12");
  });
});
