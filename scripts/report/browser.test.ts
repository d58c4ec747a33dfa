import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import type { DuckDbWarehouse } from "../../functions/src/backends/duckdbWarehouse";
import { SEGMENT_COLOURS } from "./palette";
import { UNSHADED } from "./sections/cohortRetention";
import { writeReport } from "./index";
import { openReportShop } from "./testing/reportShop";

/**
 * The report in a real browser: Debian's chromium driven by playwright-core (which downloads no
 * browser of its own). Every section must show its charts with marks, the page must log no error
 * and fit 1280 px without scrolling sideways; one PNG per section goes to `.data/report-shots/`.
 */
// Debian's chromium here and in .ci/run; GitHub's Ubuntu runners have Google Chrome instead.
const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  ["/usr/bin/chromium", "/usr/bin/google-chrome"].find((p) => existsSync(p)) ??
  "/usr/bin/chromium";
const SHOTS = join(__dirname, "..", "..", ".data", "report-shots");
const MARK =
  "svg.chart [role=graphics-symbol]:not([aria-roledescription=axis]):not([aria-roledescription=legend]):not([aria-roledescription=title])";

let dir: string;
let warehouse: DuckDbWarehouse;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No chromium at ${CHROMIUM}: install Debian's with "apt-get update && apt-get install -y chromium" ` +
        "(or set CHROMIUM_PATH to another Chromium); .ci/run installs it in CI.",
    );
  }
  dir = await mkdtemp(join(tmpdir(), "report-browser-"));
  warehouse = await openReportShop(join(dir, "warehouse.duckdb"), { runRecord: true });
  const { file } = await writeReport(warehouse, join(dir, "report.html"));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning")
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) problems.push(`network request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await warehouse?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the report in chromium", () => {
  it("loads from disk with no console error, no page error and no network request", () => {
    expect(problems).toEqual([]);
  });

  it("fits a 1280 px window without scrolling sideways", async () => {
    // A string expression: the project's TypeScript has no DOM types, the page has them.
    const widths = (await page.evaluate(`({
      page: document.documentElement.scrollWidth,
      window: window.innerWidth,
      sections: [...document.querySelectorAll("section")]
        .filter((s) => s.scrollWidth > s.clientWidth)
        .map((s) => s.id),
    })`)) as { page: number; window: number; sections: string[] };
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    expect(widths.sections).toEqual([]);
  });

  it("shows every section with its charts drawn, each with marks, and saves a screenshot of it", async () => {
    mkdirSync(SHOTS, { recursive: true });
    const sections = await page.$$eval("section", (all) => all.map((s) => s.id));
    expect(sections.length).toBeGreaterThanOrEqual(10);
    for (const id of sections) {
      const charts = await page.$$eval(
        `#${id} svg.chart`,
        (svgs, mark) =>
          svgs.map((svg) => ({
            marks: svg.querySelectorAll(mark.replace(/^svg\.chart /, "")).length,
            width: svg.getBoundingClientRect().width,
            height: svg.getBoundingClientRect().height,
          })),
        MARK,
      );
      expect([id, charts.length > 0]).toEqual([id, true]);
      for (const chart of charts) {
        expect([id, chart.marks > 0, chart.width > 100, chart.height > 50]).toEqual([
          id,
          true,
          true,
          true,
        ]);
      }
      await page.locator(`#${id}`).screenshot({ path: join(SHOTS, `${id}.png`) });
      expect(existsSync(join(SHOTS, `${id}.png`))).toBe(true);
    }
    await page.locator("header").screenshot({ path: join(SHOTS, "header.png") });
  });

  it("gives every mark a tooltip (an SVG title the browser shows on hover)", async () => {
    const untitled = await page.$$eval(
      MARK,
      (marks) => marks.filter((m) => !m.querySelector(":scope > title")?.textContent).length,
    );
    const total = await page.$$eval(MARK, (marks) => marks.length);
    expect(total).toBeGreaterThan(100);
    expect(untitled).toBe(0);
  });

  it("paints a segment in one colour in every chart (user type B, RFM 'At Risk')", async () => {
    const fills = (selector: string, titleStart: RegExp) =>
      page.$$eval(
        selector,
        (marks, source) => {
          const re = new RegExp(source);
          return [
            ...new Set(
              marks
                .filter((m) => re.test(m.querySelector(":scope > title")?.textContent ?? ""))
                .map((m) => m.getAttribute("fill")?.toLowerCase()),
            ),
          ];
        },
        titleStart.source,
      );
    const blue = SEGMENT_COLOURS.user_type!.B!.toLowerCase();
    expect(await fills("#tradeoff svg.chart path", /^B: /)).toEqual([blue]);
    expect(await fills("#funnel svg.chart path", /^type B, /)).toEqual([blue]);
    expect(await fills("#ltv-distribution svg.chart path", /^Type B: /)).toEqual([blue]);
    const atRisk = SEGMENT_COLOURS.rfm_segment!["At Risk"]!.toLowerCase();
    expect(await fills("#rfm-segments svg.chart path", /^At Risk: /)).toEqual([atRisk]);
  });

  it("leaves cohort cells grey where too few users are observed, with the counts on hover", async () => {
    const cells = await page.$$eval("#cohort-retention svg.chart path", (marks) =>
      marks
        .map((m) => ({
          fill: m.getAttribute("fill"),
          title: m.querySelector(":scope > title")?.textContent ?? "",
        }))
        .filter((c) => / M\d+: /.test(c.title) && c.fill !== null),
    );
    const grey = cells.filter((c) => c.title.endsWith("too few observed to shade"));
    const shaded = cells.filter((c) => !c.title.endsWith("too few observed to shade"));
    expect(grey.length).toBeGreaterThan(0);
    expect(shaded.length).toBeGreaterThan(0);
    expect(new Set(grey.map((c) => c.fill))).toEqual(new Set([UNSHADED]));
    expect(shaded.every((c) => c.fill !== UNSHADED)).toBe(true);
    expect(grey[0]!.title).toMatch(/of \d+ observed users; cohort \d+/);
  });

  it("states its freshness from the run record", async () => {
    await expect(page.locator("#freshness").textContent()).resolves.toBe(
      "Data through 2025-12-31, refreshed 2026-01-01 06:03:10 UTC by a bulk run: succeeded.",
    );
  });
});
