import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MARTS, martDependencies, martRawDependencies } from "../functions/src/marts/catalog";
import type { MartDeclaration } from "../functions/src/marts/catalog";
import {
  CATALOG_FILE,
  catalogMarkdown,
  headerComment,
  lineageGraph,
  renderCatalog,
  type CatalogInputs,
} from "./catalogDoc";

const decl = (name: string, dataset: "marts" | "snapshots" = "marts"): MartDeclaration => ({
  name,
  file: `${dataset === "marts" ? "marts" : "rfm"}/${name}.sql`,
  dataset,
  description: `What ${name} holds.`,
  materialization: { kind: "table" },
  clustering: [],
});

const FIXTURE: CatalogInputs = {
  marts: [decl("dm_a"), decl("dm_b")],
  schemas: {
    dm_a: [{ name: "user_id", type: "STRING", mode: "NULLABLE", description: "The user." }],
    dm_b: [{ name: "tags", type: "STRING", mode: "REPEATED", description: "Tags | labels." }],
  },
  marts_read: (d) => (d.name === "dm_b" ? ["dm_a"] : []),
  raw_read: (d) => (d.name === "dm_a" ? ["users"] : []),
  sql: (d) => `-- Grain: one row per ${d.name}\n-- thing.\nselect 1`,
};

describe("the committed docs/catalog.md", () => {
  it("is what npm run docs:catalog writes from the current marts (else run it and commit)", () => {
    const committed = readFileSync(join(__dirname, "..", CATALOG_FILE), "utf8");
    expect(committed).toBe(catalogMarkdown());
  });

  it("draws every dependency derived from the SQL, and a section per mart", () => {
    const committed = readFileSync(join(__dirname, "..", CATALOG_FILE), "utf8");
    const dataset = new Map(MARTS.map((m) => [m.name, m.dataset]));
    for (const m of MARTS) {
      expect(committed).toContain(`### ${m.dataset}.${m.name}\n`);
      for (const t of martRawDependencies(m))
        expect(committed).toContain(`raw_${t} --> ${m.dataset}_${m.name}\n`);
      for (const d of martDependencies(m))
        expect(committed).toContain(`${dataset.get(d)}_${d} --> ${m.dataset}_${m.name}\n`);
    }
  });
});

describe("renderCatalog", () => {
  const page = renderCatalog(FIXTURE);

  it("lists each mart's grain, what it reads, what reads it, and its columns", () => {
    const a = page.slice(page.indexOf("### marts.dm_a"), page.indexOf("### marts.dm_b"));
    expect(a).toContain("- **Grain**: one row per dm_a thing.");
    expect(a).toContain("- **Reads**: `raw.users`");
    expect(a).toContain("- **Read by**: [`marts.dm_b`](#martsdm_b)");
    expect(a).toContain("| `user_id` | STRING | The user. |");
    const b = page.slice(page.indexOf("### marts.dm_b"));
    expect(b).toContain("- **Reads**: [`marts.dm_a`](#martsdm_a)");
    expect(b).toContain("| `tags` | ARRAY<STRING> | Tags \\| labels. |");
  });

  it("draws raw tables and marts as Mermaid nodes with an edge per dependency", () => {
    expect(lineageGraph(FIXTURE).split("\n")).toEqual([
      "flowchart LR",
      "  subgraph raw",
      '    raw_users["raw.users"]',
      "  end",
      "  subgraph snapshots",
      "  end",
      "  subgraph marts",
      '    marts_dm_a["marts.dm_a"]',
      '    marts_dm_b["marts.dm_b"]',
      "  end",
      "  raw_users --> marts_dm_a",
      "  marts_dm_a --> marts_dm_b",
    ]);
  });
});

describe("headerComment", () => {
  it("joins the SQL's leading comment lines and stops at the first line of code", () => {
    expect(headerComment("-- Grain: a\n--   b\nwith x as (select 1)\n-- later")).toBe("Grain: a b");
  });
});
