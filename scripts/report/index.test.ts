import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../../functions/src/backends/duckdbWarehouse";
import { LocalLake } from "../../functions/src/backends/localLake";
import { CDNOW_FILE } from "../../functions/src/clv/testing/cdnow";
import { runMarts } from "../../functions/src/marts/runMarts";
import { readMappingFile } from "../../functions/src/orders/mapping";
import { ordersToWarehouse } from "../../functions/src/orders/ordersToWarehouse";
import { CDNOW_MAPPING_FILE } from "../../functions/src/orders/testing/fixtures";
import { reportCli } from "./cli";
import { freshnessLine, readFreshness } from "./freshness";
import { parseFormatted, toNumber } from "./format";
import { MissingMartsError, REPORT_MARTS, writeReport } from "./index";
import { CLV_SEGMENT_COLUMNS } from "./sections/clvSegments";
import type { Column } from "./html";
import { KPI_WEEKLY_SQL } from "./sections/kpiOverview";
import { TRADEOFF_COLUMNS } from "./sections/tradeoff";
import { elementCounts, markupProblems } from "./testing/markup";
import {
  compiledChartsFolder,
  keepRendererSnapshotIn,
  prepareRendererSnapshot,
} from "./charts/rendererSnapshot";
import { renderersLeft } from "./testing/renderers";
import { HOSTILE_CATEGORY, openReportShop, REPORT_SHOP } from "./testing/reportShop";

const EXPECTED_SECTIONS = [
  "kpi-overview",
  "tradeoff",
  "cohort-retention",
  "funnel",
  "ltv-distribution",
  "promo-effect",
  "category-performance",
  "rfm-segments",
  "clv-segments",
  "churn-risk",
  "campaign",
  "acquisition-quality",
];

let dir: string;
let warehouse: DuckDbWarehouse;
let html: string;
let result: Awaited<ReturnType<typeof writeReport>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "report-"));
  // Data can carry markup: a category name must reach the page as text.
  warehouse = await openReportShop(join(dir, "warehouse.duckdb"), { hostile: true });
  result = await writeReport(warehouse, join(dir, "nested", "report.html"), { title: "Test shop" });
  html = await readFile(result.file, "utf8");
}, 240_000);
afterAll(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

/** The markup of one section, by id. */
function sectionHtml(id: string): string {
  const match = html.match(
    new RegExp(`<section id="${id}" data-rows="(\\d+)">[\\s\\S]*?</section>`),
  );
  if (!match) throw new Error(`section ${id} not found`);
  return match[0];
}

const unescape = (text: string) =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

/** Table rows of a section as { data attributes, cells by data-col }. */
function tableRows(
  section: string,
): { data: Record<string, string>; cells: Record<string, string> }[] {
  return [...section.matchAll(/<tr((?:\s+data-[\w-]+="[^"]*")+)>([\s\S]*?)<\/tr>/g)].map((m) => ({
    data: Object.fromEntries(
      [...m[1]!.matchAll(/data-([\w-]+)="([^"]*)"/g)].map((d) => [d[1]!, unescape(d[2]!)]),
    ),
    cells: Object.fromEntries(
      [...m[2]!.matchAll(/<td data-col="([\w-]+)"[^>]*>([^<]*)<\/td>/g)].map((c) => [
        c[1]!,
        unescape(c[2]!),
      ]),
    ),
  }));
}

/**
 * Every numeric cell of a section's table against its mart row, within the rounding of its
 * format; returns how many cells were compared.
 */
function expectTableShowsMart(
  shown: ReturnType<typeof tableRows>,
  mart: readonly Record<string, unknown>[],
  columns: readonly Column<Record<string, unknown>>[],
  rowOf: (s: { data: Record<string, string> }, row: Record<string, unknown>) => boolean,
): number {
  const tolerance = (text: string) =>
    text.endsWith("%") ? 0.0005 : /\.\d\d$/.test(text) ? 0.005 : 0.5;
  let compared = 0;
  for (const row of mart) {
    const cells = shown.find((s) => rowOf(s, row))?.cells;
    expect(cells).toBeDefined();
    for (const column of columns.filter((c) => c.numeric)) {
      const text = cells![column.key]!;
      const expected = toNumber(row[column.key]);
      const value = parseFormatted(text);
      if (expected === null) {
        expect([column.key, value]).toEqual([column.key, null]);
      } else {
        expect([column.key, value]).not.toEqual([column.key, null]);
        expect(Math.abs(value! - expected)).toBeLessThanOrEqual(tolerance(text) + 1e-9);
        compared += 1;
      }
    }
  }
  return compared;
}

describe("writeReport on a generated shop", () => {
  it("writes every section, in order, each with rows in a table", () => {
    expect(result.sections).toEqual(EXPECTED_SECTIONS);
    expect(result.bytes).toBe(Buffer.byteLength(html, "utf8"));
    for (const id of EXPECTED_SECTIONS) {
      const section = sectionHtml(id);
      expect([id, Number(section.match(/data-rows="(\d+)"/)![1]) > 0]).toEqual([id, true]);
      expect([id, (section.match(/<tbody>[\s\S]*?<tr/g) ?? []).length > 0]).toEqual([id, true]);
      expect(section).toMatch(/<p class="what">[^<]+<\/p>/);
      expect(section).toMatch(/<p class="grain">Grain: [^<]+/);
    }
  });

  it("shows the trade-off mart's values, formatted, for every segment", async () => {
    const mart = await warehouse.query<Record<string, unknown>>(
      "select * from marts.dm_tradeoff_summary",
    );
    const shown = tableRows(sectionHtml("tradeoff"));
    expect(shown).toHaveLength(mart.length);
    expect(mart.length).toBeGreaterThanOrEqual(10);
    const compared = expectTableShowsMart(
      shown,
      mart,
      TRADEOFF_COLUMNS as readonly Column<Record<string, unknown>>[],
      (s, row) => s.data["segment-type"] === row.segment_type && s.data.segment === row.segment,
    );
    expect(compared).toBeGreaterThan(mart.length * 5);
  });

  it("shows predicted value beside each RFM segment: the CLV mart's latest date, every segment", async () => {
    const mart = await warehouse.query<Record<string, unknown>>(
      "select * from marts.dm_clv_segments\n" +
        "where snapshot_date = (select max(snapshot_date) from marts.dm_clv_segments)",
    );
    expect(mart).toHaveLength(9);
    const section = sectionHtml("clv-segments");
    const shown = tableRows(section);
    expect(shown).toHaveLength(mart.length);
    const compared = expectTableShowsMart(
      shown,
      mart,
      CLV_SEGMENT_COLUMNS,
      (s, row) => s.data.segment === row.segment,
    );
    expect(compared).toBeGreaterThan(mart.length * 3);
    const [fit] = await warehouse.query<Record<string, unknown>>(
      "select * from snapshots.clv_fit order by snapshot_date desc limit 1",
    );
    expect(section).toContain(`Fitted on ${Number(fit!.customers).toLocaleString("en-US")} buyers`);
    expect(section).toContain(`r = ${Number(fit!.bgnbd_r).toFixed(3)}`);
  });

  it("is well formed, self-contained and script-free", () => {
    expect(markupProblems(html)).toEqual([]);
    expect(html).not.toMatch(
      /<script|<link|<img|<iframe|src=|@import|url\((?!#c\d+-)|https?:\/\/(?!www\.w3\.org\/(2000\/svg|1999\/xlink)")/i,
    );
    const counts = elementCounts(html);
    expect(counts.get("section")).toBe(EXPECTED_SECTIONS.length);
    expect(counts.get("svg")).toBeGreaterThanOrEqual(20);
    expect(html).not.toContain("<!--chart:");
    // Ids inside charts are unique across the page (two gradient legends must not share one).
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("gives every chart mark a hover title, and every section a chart", () => {
    for (const id of EXPECTED_SECTIONS) {
      const section = sectionHtml(id);
      const marks =
        section.match(
          /<(path|rect|circle|text|line)\b[^>]*aria-roledescription="(?!axis|legend|title)[^"]*"[^>]*>/g,
        ) ?? [];
      const titled =
        section.match(
          /aria-roledescription="(?!axis|legend|title)[^"]*"[^>]*>(<\/\w+>)?<title>[^<]+<\/title>/g,
        ) ?? [];
      expect([id, marks.length > 0]).toEqual([id, true]);
      expect([id, titled.length]).toEqual([id, marks.length]);
    }
    // A tooltip reads like the tables: formatted values, not raw floats.
    expect(sectionHtml("tradeoff")).toMatch(
      /<title>B: 14-day conversion \d+\.\d%, mean 180-day LTV [\d,]+\.\d\d/,
    );
  });

  it("shows the KPI trend over every day the mart holds, and the segment moves between two snapshots", async () => {
    const [{ days }] = (await warehouse.query<{ days: number }>(
      "select count(*) as days from marts.dm_kpi_daily",
    )) as [{ days: number }];
    expect(days).toBe(731);
    const weeks = await warehouse.query(KPI_WEEKLY_SQL);
    expect(weeks.length).toBe(105); // 2024-01-01 is a Monday; 2025-12-31 a Wednesday
    expect(sectionHtml("kpi-overview").match(/<title>week of [^<]*: revenue /g)).toHaveLength(
      weeks.length,
    );
    expect(sectionHtml("rfm-segments")).toMatch(/Segment moves from 2025-11-30 to 2025-12-31/);
    expect(sectionHtml("rfm-segments")).toMatch(/<title>New buyer → [^<]+: \d+ buyers/);
  });

  it("says no run is recorded yet when the run record is empty, instead of failing", () => {
    expect(html).toContain(`Data through ${REPORT_SHOP.endDate}. No run recorded yet.`);
  });

  it("shows a category named with markup as text, in the tables and the chart", () => {
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co";
    expect(sectionHtml("category-performance")).toContain(escaped);
    expect(sectionHtml("acquisition-quality")).toContain(escaped);
    expect(html).not.toContain(HOSTILE_CATEGORY);
    const categories = tableRows(sectionHtml("category-performance")).map((r) => r.cells.category);
    expect(categories).toContain(HOSTILE_CATEGORY);
  });

  it("replaces the file on a second run rather than appending to it", async () => {
    const again = await writeReport(warehouse, result.file);
    const second = await readFile(again.file, "utf8");
    expect(second.match(/<html/g)).toHaveLength(1);
    expect(second.match(/<section /g)).toHaveLength(EXPECTED_SECTIONS.length);
  });

  it("draws the same page from charts it keeps compiled, when it compiles them and when it reads them back", async () => {
    const kept = await mkdtemp(join(tmpdir(), "report-renderer-"));
    const page = (text: string) => text.replace(/Built \d{4}-\d\d-\d\d \d\d:\d\d UTC/, "Built");
    keepRendererSnapshotIn(kept);
    try {
      await prepareRendererSnapshot();
      for (const pass of ["compiled", "read back"]) {
        const again = await writeReport(warehouse, join(kept, "report.html"), {
          title: "Test shop",
        });
        // Which pass differs, if one does: the page it drew, labelled.
        expect([pass, page(await readFile(again.file, "utf8"))]).toEqual([pass, page(html)]);
      }
      expect(readdirSync(compiledChartsFolder()!).length).toBeGreaterThan(10);
    } finally {
      keepRendererSnapshotIn(null);
      await rm(kept, { recursive: true, force: true });
    }
  }, 60_000);
});

/** The warehouse with its `query` replaced by `query`; everything else is the warehouse's own. */
function withQuery(
  target: DuckDbWarehouse,
  query: (sql: string, params?: Record<string, never>) => Promise<unknown[]>,
): DuckDbWarehouse {
  return new Proxy(target, {
    get(warehouse, property) {
      if (property === "query") return query;
      const value = Reflect.get(warehouse, property, warehouse) as unknown;
      return typeof value === "function" ? value.bind(warehouse) : value;
    },
  });
}

/** Runs `work` with a stream's writes captured instead of printed. */
async function capture(
  stream: NodeJS.WriteStream,
  work: () => Promise<number>,
): Promise<{ code: number; text: string }> {
  const spy = jest.spyOn(stream, "write").mockImplementation(() => true);
  try {
    const code = await work();
    return { code, text: spy.mock.calls.map((c) => String(c[0])).join("") };
  } finally {
    spy.mockRestore();
  }
}

describe("writeReport on a loaded orders file (CDNOW)", () => {
  let ordersDir: string;
  let orders: DuckDbWarehouse;
  let page: string;
  const section = (id: string) => {
    const match = page.match(
      new RegExp(`<section id="${id}" data-rows="\\d+">[\\s\\S]*?</section>`),
    );
    if (!match) throw new Error(`section ${id} not found`);
    return match[0];
  };
  beforeAll(async () => {
    ordersDir = await mkdtemp(join(tmpdir(), "report-orders-"));
    orders = await DuckDbWarehouse.open({ path: ":memory:" });
    const summary = await ordersToWarehouse(CDNOW_FILE, readMappingFile(CDNOW_MAPPING_FILE), {
      lake: new LocalLake(join(ordersDir, "lake")),
      warehouse: orders,
    });
    await runMarts(orders, {
      runDate: summary.lastDay,
      fromDate: summary.firstDay,
      snapshotFrom: summary.firstDay,
    });
    const written = await writeReport(orders, join(ordersDir, "report.html"));
    page = await readFile(written.file, "utf8");
  }, 240_000);
  afterAll(async () => {
    await orders.close();
    await rm(ordersDir, { recursive: true, force: true });
  });

  it("keeps every section in its place and says which the source cannot fill, naming what it lacks", () => {
    expect([...page.matchAll(/<section id="([\w-]+)"/g)].map((m) => m[1])).toEqual(
      EXPECTED_SECTIONS,
    );
    expect(markupProblems(page)).toEqual([]);
    const absent = {
      tradeoff: "sessions",
      "cohort-retention": "sessions",
      funnel: "events, sessions",
      "promo-effect": "promo_calendar, sessions",
      campaign: "campaign_exposures, sessions",
    };
    for (const [id, tables] of Object.entries(absent)) {
      const body = section(id);
      expect(body).toContain(`Not in this source: the data has no ${tables}`);
      expect(body).not.toMatch(/<svg|<table/);
    }
  });

  it("shows the KPIs it has without active users or sessions, rather than zeros", () => {
    const kpis = section("kpi-overview");
    expect(kpis).toContain("Active users, stickiness and sessions are not in this source");
    expect(kpis).not.toMatch(/data-col="(dau|mau|stickiness|sessions)"/);
    expect(kpis).toMatch(/data-col="revenue"/);
  });

  it("shows RFM segments and predicted CLV per segment from the file's marts", async () => {
    expect(section("rfm-segments")).toContain("RFM segments on 1998-06-30");
    const mart = await orders.query<Record<string, unknown>>(
      "select * from marts.dm_clv_segments where snapshot_date = date '1998-06-30'",
    );
    const shown = tableRows(section("clv-segments"));
    expect(shown).toHaveLength(9);
    const compared = expectTableShowsMart(
      shown,
      mart,
      CLV_SEGMENT_COLUMNS,
      (s, row) => s.data.segment === row.segment,
    );
    expect(compared).toBeGreaterThan(20);
    expect(section("clv-segments")).toMatch(/Fitted on 2,357 buyers up to 1998-06-30/);
  });
});

describe("the command line on the generated shop's folder", () => {
  it("writes <out>/report.html from the warehouse file and says where", async () => {
    // The CLI opens the database file itself; DuckDB allows one writer, so hand it over.
    await warehouse.close();
    try {
      const { code, text } = await capture(process.stdout, () => reportCli(["--out", dir]));
      expect(code).toBe(0);
      expect(text).toMatch(
        new RegExp(`report\\.html \\(\\d+ KB, ${EXPECTED_SECTIONS.length} sections, [\\d.]+ s\\)`),
      );
      const written = await readFile(join(dir, "report.html"), "utf8");
      expect(written.match(/<section /g)).toHaveLength(EXPECTED_SECTIONS.length);
    } finally {
      warehouse = await DuckDbWarehouse.open({ path: join(dir, "warehouse.duckdb") });
    }
  });
});

describe("the freshness line", () => {
  it("reads the latest run record: data through, when, and how it ended", () => {
    const line = freshnessLine({
      dataThrough: "2025-12-31",
      hasRunRecord: true,
      lastRun: {
        kind: "nightly",
        finishedAt: "2026-01-01 03:12:05+00",
        status: "failed",
        failedStep: "mart:dm_kpi_daily",
        dataThrough: "2025-12-30",
      },
    });
    expect(line).toBe(
      "Data through 2025-12-31, refreshed 2026-01-01 03:12:05 UTC by a nightly run: FAILED at mart:dm_kpi_daily; the marts show the last complete state.",
    );
  });

  it("reads an empty run record as no run yet", async () => {
    expect(freshnessLine({ dataThrough: "", hasRunRecord: true, lastRun: null })).toBe(
      "No KPI day yet. No run recorded yet.",
    );
    const f = await readFreshness(warehouse);
    expect(f).toEqual({ dataThrough: REPORT_SHOP.endDate, hasRunRecord: true, lastRun: null });
  });
});

describe("missing warehouse or marts", () => {
  const captureStderr = (work: () => Promise<number>) => capture(process.stderr, work);

  it("refuses a warehouse without marts, naming them, and writes nothing", async () => {
    const empty = await DuckDbWarehouse.open({ path: ":memory:" });
    try {
      await empty.ensureRawTables();
      const file = join(dir, "never.html");
      const error = await writeReport(empty, file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingMartsError);
      expect((error as MissingMartsError).missing).toEqual([...REPORT_MARTS]);
      expect((error as Error).message).toMatch(/marts\.dm_tradeoff_summary.*run npm start first/);
      expect(existsSync(file)).toBe(false);
      // The chart renderers start with the report, before the marts are read: they are stopped.
      expect(await renderersLeft()).toBe("");
    } finally {
      await empty.close();
    }
  });

  it("names only the marts that are missing, in the report's order", async () => {
    const gone = ["dm_churn_risk", "dm_ltv_distribution"];
    // Those two are looked for under a name no table has, so DuckDB answers as for a dropped one.
    const partial = withQuery(warehouse, (sql, params) =>
      warehouse.query(
        gone.reduce((text, mart) => text.replace(`marts.${mart} `, `marts.${mart}_gone `), sql),
        params,
      ),
    );
    const file = join(dir, "partial.html");
    const error = await writeReport(partial, file).catch((e: unknown) => e);
    expect((error as MissingMartsError).missing).toEqual(["dm_ltv_distribution", "dm_churn_risk"]);
    expect(existsSync(file)).toBe(false);
  });

  it("passes on a failure other than a missing mart while the marts are looked for", async () => {
    const failing = withQuery(warehouse, (sql, params) =>
      sql.includes("present from marts.dm_funnel_daily ")
        ? Promise.reject(new Error("injected: the warehouse went away"))
        : warehouse.query(sql, params),
    );
    const error = await writeReport(failing, join(dir, "gone.html")).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(MissingMartsError);
    expect((error as Error).message).toMatch(/injected/);
  });

  it("stops its chart renderers and writes nothing when a section fails after charts were added", async () => {
    // Every query goes through but the run record's, read after the last section: by then every
    // chart is added and the renderer processes are started.
    const failing = withQuery(warehouse, (sql, params) =>
      sql.includes("pipeline_runs")
        ? Promise.reject(new Error("injected: the run record could not be read"))
        : warehouse.query(sql, params),
    );
    const file = join(dir, "failed.html");
    await expect(writeReport(failing, file)).rejects.toThrow(/injected/);
    expect(existsSync(file)).toBe(false);
    expect(await renderersLeft()).toBe("");
  });

  it("runs the caller's work after its last query, and writes nothing when that work fails", async () => {
    let queries = 0;
    const counting = withQuery(warehouse, (sql, params) => {
      queries += 1;
      return warehouse.query(sql, params);
    });
    let queriesBefore = -1;
    const done = await writeReport(counting, join(dir, "beside.html"), {
      whileChartsRender: async () => {
        queriesBefore = queries;
      },
    });
    expect(queriesBefore).toBeGreaterThan(0);
    expect(queries).toBe(queriesBefore);
    expect(existsSync(done.file)).toBe(true);

    const file = join(dir, "beside-failed.html");
    await expect(
      writeReport(warehouse, file, {
        whileChartsRender: () => Promise.reject(new Error("injected: the checkpoint failed")),
      }),
    ).rejects.toThrow(/injected/);
    expect(existsSync(file)).toBe(false);
    expect(await renderersLeft()).toBe("");
  });

  it("the CLI says to run npm start when the folder has no warehouse, and creates none", async () => {
    const bare = await mkdtemp(join(tmpdir(), "report-bare-"));
    try {
      const { code, text } = await captureStderr(() => reportCli(["--out", bare]));
      expect(code).toBe(1);
      expect(text).toMatch(/no warehouse at .*warehouse\.duckdb: run npm start first/);
      expect(existsSync(join(bare, "warehouse.duckdb"))).toBe(false);
      expect(existsSync(join(bare, "report.html"))).toBe(false);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it("the CLI says to run npm start when the warehouse has no marts", async () => {
    const bare = await mkdtemp(join(tmpdir(), "report-nomarts-"));
    try {
      const raw = await DuckDbWarehouse.open({ path: join(bare, "warehouse.duckdb") });
      await raw.ensureRawTables();
      await raw.close();
      const { code, text } = await captureStderr(() => reportCli(["--out", bare]));
      expect(code).toBe(1);
      expect(text).toMatch(/run npm start first/);
      expect(existsSync(join(bare, "report.html"))).toBe(false);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it("the CLI rejects an unknown flag with exit code 2", async () => {
    const { code, text } = await captureStderr(() => reportCli(["--outt", "x"]));
    expect(code).toBe(2);
    expect(text).toMatch(/--outt: unknown option/);
  });
});
