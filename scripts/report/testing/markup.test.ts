import { markupProblems } from "./markup";

describe("markupProblems", () => {
  it("accepts nested elements, void elements and self-closed SVG shapes", () => {
    const html =
      '<!doctype html><html><head><meta charset="utf-8"><style>a > b { color: red; }</style></head>' +
      '<body><p class="x">a &lt; b</p><svg><rect x="1"/><text>t</text></svg></body></html>';
    expect(markupProblems(html)).toEqual([]);
  });

  it("reports an element closed out of order and one never closed", () => {
    const problems = markupProblems("<div><span></div>").map((p) => p.problem);
    expect(problems).toContain("</div> closes <span> opened at 5");
    expect(problems).toContain("<div> never closed");
  });

  it("reports a raw angle bracket in text, as unescaped data would leave", () => {
    expect(markupProblems("<td>a <b</td>")).toHaveLength(1);
    expect(markupProblems("<td>x > y</td>")[0]?.problem).toMatch(/stray ">"/);
  });

  it("reports an unbalanced attribute quote as text with a stray bracket", () => {
    expect(markupProblems('<td title="a>b</td>').length).toBeGreaterThan(0);
  });
});
