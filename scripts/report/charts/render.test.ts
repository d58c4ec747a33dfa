import { renderersLeft } from "../testing/renderers";
import { ChartSet } from "./render";

const BARS = {
  data: { values: [{ k: "a", v: 1 }] },
  mark: "bar",
  encoding: { x: { field: "k", type: "nominal" }, y: { field: "v", type: "quantitative" } },
};

describe("ChartSet", () => {
  it("puts each chart's SVG in place of its placeholder, in the order the charts were added", async () => {
    const charts = new ChartSet();
    const titles = ["first", "second", "third"];
    const page = titles
      .map((t, i) => charts.add(t, { ...BARS, description: `chart ${i}` }))
      .join("");
    const html = await charts.render(page);
    expect([...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1])).toEqual(titles);
    expect(html).not.toContain("<!--chart:");
  });

  it("fails when a chart cannot be drawn, naming why, and leaves no renderer running", async () => {
    const charts = new ChartSet(2);
    // Chart 0 goes to the first renderer and breaks it at once; the other has seconds of work,
    // so only stopping it (not waiting for it) leaves no renderer running below.
    const many = {
      ...BARS,
      data: { values: Array.from({ length: 2000 }, (_, i) => ({ k: `k${i}`, v: i })) },
    };
    const page = [
      charts.add("broken", { ...BARS, mark: "no-such-mark" }),
      ...Array.from({ length: 61 }, (_, i) => charts.add(`fine ${i}`, many)),
    ].join("");
    try {
      await expect(charts.render(page)).rejects.toThrow(
        /chart rendering failed \(exit 1\): chart "broken": /,
      );
    } finally {
      charts.close();
    }
    // Stopped, not finished: the other renderer had far more than this to draw.
    expect(await renderersLeft(500)).toBe("");
  });
});
