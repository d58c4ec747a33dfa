import { renderPage, renderSection, table, type Column, type Section } from "./html";
import { markupProblems } from "./testing/markup";

interface Item {
  name: string;
  share: number;
}

const COLUMNS: Column<Item>[] = [
  { header: "Name <b>", key: "name", text: (i) => i.name },
  {
    header: "Share",
    key: "share",
    numeric: true,
    text: (i) => `${i.share}`,
    title: (i) => (i.share > 0.5 ? `most: "${i.name}"` : null),
  },
];

const section = (rows: number): Section => ({
  id: "demo",
  title: "Demo & more",
  what: "What it shows",
  grain: "one row per thing",
  sources: ["marts.dm_demo"],
  rows,
  body: table(COLUMNS, [{ name: "x", share: 1 }]),
});

describe("table", () => {
  it("escapes headers, cells and data attributes", () => {
    const html = table(COLUMNS, [{ name: `"><img onerror=x>`, share: 0.1 }], {
      rowData: (i) => ({ name: i.name }),
    });
    expect(html).not.toContain("<img");
    expect(html).toContain("Name &lt;b&gt;");
    expect(html).toContain('data-name="&quot;&gt;&lt;img onerror=x&gt;"');
    expect(markupProblems(html)).toEqual([]);
  });

  it("gives a cell its hover text, escaped, and none where there is nothing to add", () => {
    const html = table(COLUMNS, [
      { name: "<x>", share: 0.9 },
      { name: "y", share: 0.1 },
    ]);
    expect(html).toContain('title="most: &quot;&lt;x&gt;&quot;"');
    expect(html.match(/title=/g)).toHaveLength(1);
  });

  it("refuses a data attribute name that could break out of the tag", () => {
    expect(() =>
      table(COLUMNS, [{ name: "x", share: 0 }], { rowData: () => ({ 'a"b': "1" }) }),
    ).toThrow(/not a data attribute name/);
  });
});

describe("renderSection", () => {
  it("states what the section shows, its grain and its source", () => {
    const html = renderSection(section(1));
    expect(html).toContain('<section id="demo" data-rows="1">');
    expect(html).toContain("<h2>Demo &amp; more</h2>");
    expect(html).toContain('<p class="what">What it shows</p>');
    expect(html).toContain("Grain: one row per thing.");
    expect(html).toContain("<code>marts.dm_demo</code>");
  });

  it("says the marts hold nothing instead of showing an empty table", () => {
    const html = renderSection(section(0));
    expect(html).toContain("The marts hold no rows for this yet.");
    expect(html).not.toContain("<table");
  });

  it("refuses an id that is not a plain anchor", () => {
    expect(() => renderSection({ ...section(1), id: 'x" onclick="y' })).toThrow(/not a plain id/);
  });
});

describe("renderPage", () => {
  it("is one well-formed document with inline CSS, a contents list and no script", () => {
    const html = renderPage({
      title: "<Report>",
      subtitle: "s",
      freshness: "Data through 2025-12-31 <now>",
      sections: [section(1)],
      footer: "f",
    });
    expect(markupProblems(html)).toEqual([]);
    expect(html).toContain('<a href="#demo">Demo &amp; more</a>');
    expect(html).toContain("<title>&lt;Report&gt;</title>");
    expect(html).toContain(
      '<p class="freshness" id="freshness">Data through 2025-12-31 &lt;now&gt;</p>',
    );
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });
});
