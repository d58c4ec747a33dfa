import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { listChecks } from "../functions/src/checks";
import { CDNOW_FILE } from "../functions/src/clv/testing/cdnow";
import { fileListing } from "../functions/src/handlers/testSupport";
import { captureOutput, warehouseRows, type CapturedOutput } from "./cli/testing/capturedOutput";
import { CDNOW_MAPPING_FILE, RETAIL_FILE } from "../functions/src/orders/testing/fixtures";
import { start } from "./start";

/** The documented command's flags, on the CDNOW sample the models are checked against. */
const CDNOW = ["--orders", CDNOW_FILE, "--mapping", CDNOW_MAPPING_FILE];

/** Rows of a query on the folder's warehouse, read-only. */
const rowsOf = warehouseRows;

let dir: string;
let output: CapturedOutput;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "start-orders-"));
  output = captureOutput();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe("npm start --orders", () => {
  it.each([
    [["--orders", CDNOW_FILE], "--orders"],
    [["--mapping", CDNOW_MAPPING_FILE], "--mapping"],
    [[...CDNOW, "--users", "3000"], "--users"],
    [[...CDNOW, "--end", "1998-01-31"], "--end"],
    [["--orders", "no-such-orders.txt", "--mapping", CDNOW_MAPPING_FILE], "--orders"],
    [["--orders", CDNOW_FILE, "--mapping", CDNOW_FILE], "--mapping"],
  ])("exits 2 on %j, naming %s, before any work", async (argv, flag) => {
    const out = join(dir, "data");
    expect(await start([...argv, "--out", out])).toBe(2);
    expect(output.stderr).toMatch(new RegExp(`^npm start: ${flag}: .+\\n$`));
    expect(existsSync(out)).toBe(false);
  });

  it("loads the CDNOW sample end to end: kept and dropped, checks it can answer, order-based marts, RFM and CLV in the report", async () => {
    const out = join(dir, "data");
    // A lake an earlier run left to be written over, with a day this file's lake does not have.
    const stale = join(
      out,
      ".previous-lake",
      "raw",
      "events",
      "dt=2024-01-01",
      "part-0-of-1-b0.parquet",
    );
    await mkdir(dirname(stale), { recursive: true });
    await writeFile(stale, "not parquet");
    expect(await start([...CDNOW, "--out", out])).toBe(0);
    expect(existsSync(join(out, "lake", "raw", "events", "dt=2024-01-01"))).toBe(false);
    // What was kept and dropped, every cleaning rule by name, and what the file lacks.
    expect(output.stdout).toMatch(/^ {2}rows read +6,919$/m);
    expect(output.stdout).toMatch(/^ {2}kept +6,919$/m);
    expect(output.stdout).toMatch(/^ {4}cancelled_order +0$/m);
    expect(output.stdout).toMatch(/^ {2}users +2,357$/m);
    expect(output.stdout).toMatch(/^ {2}sessions +not in this source$/m);
    // The checks that need sessions, promotions or subscriptions are skipped, never failed.
    expect(output.stdout).toMatch(/ SKIP {2}subscription_per_user \.+ not in this source/);
    expect(output.stdout).toMatch(/ SKIP {2}order_item_discount \.+ not in this source/);
    expect(output.stdout).toMatch(/ PASS {2}order_item_line_amount \.+ +0 rows /);
    expect(output.stdout).toMatch(
      new RegExp(`^Done\\. PASS=\\d+ FAIL=0 SKIP=\\d+ TOTAL=${listChecks().length}$`, "m"),
    );
    expect(output.stdout).toMatch(
      /^ {2}dm_funnel_daily +not in this source \(needs events, sessions\)$/m,
    );
    expect(output.stdout).toMatch(/^ {2}clv_daily +2,357 rows$/m);
    expect(output.stdout).toMatch(
      /Data through 1998-06-30; 18 RFM snapshots; CLV at 1998-06-30; report: /,
    );

    expect(readdirSync(out).sort()).toEqual(["lake", "report.html", "warehouse.duckdb"]);
    const [facts] = await rowsOf(
      out,
      `select (select source from raw.world_manifest) as source,
              (select count(distinct snapshot_date)::int from snapshots.rfm_daily) as rfm_dates,
              (select max(snapshot_date)::varchar from snapshots.clv_daily) as clv_date,
              (select count(*)::int from snapshots.clv_daily) as clv_rows,
              (select count(*)::int from marts.dm_clv_segments) as clv_segments,
              (select run_kind || ' ' || status from snapshots.pipeline_runs) as run`,
    );
    expect(facts).toEqual({
      source: "orders",
      rfm_dates: 18,
      clv_date: "1998-06-30",
      clv_rows: 2357,
      clv_segments: 9,
      run: "orders succeeded",
    });
    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toMatch(/<section id="rfm-segments" data-rows="9">/);
    expect(html).toMatch(/<section id="clv-segments" data-rows="9">/);
    expect(html).toMatch(/Not in this source: the data has no events, sessions/);
    expect(html).toContain("by an orders run: succeeded");
  }, 240_000);

  it("stops on bad input naming file, row and column, and on another world with exit 3; the loaded data stays", async () => {
    const out = join(dir, "data");
    expect(await start([...CDNOW, "--out", out])).toBe(0);
    // The failed run is recorded in the folder's warehouse; the data itself must not move.
    const data = async () => ({
      lake: await fileListing(join(out, "lake")),
      report: await readFile(join(out, "report.html"), "utf8"),
      tables: await rowsOf(
        out,
        `select (select count(*)::int from raw.orders) as orders,
                (select round(sum(line_amount), 2)::double from raw.order_items) as revenue,
                (select count(*)::int from marts.dm_clv_segments) as clv_segments,
                (select source from raw.world_manifest) as source`,
      ),
    });
    const before = await data();
    expect(before.tables).toEqual([
      { orders: 6696, revenue: expect.any(Number), clv_segments: 9, source: "orders" },
    ]);

    // Row 3's date is not a date: one line naming the file, the row and the column.
    const text = await readFile(CDNOW_FILE, "utf8");
    const lines = text.split("\n");
    lines[2] = lines[2]!.replace(/19970\d\d\d/, "1997-01-0x");
    const bad = join(dir, "bad_cdnow.txt");
    await writeFile(bad, lines.join("\n"));
    output.stderr = "";
    expect(await start(["--orders", bad, "--mapping", CDNOW_MAPPING_FILE, "--out", out])).toBe(1);
    expect(output.stderr).toMatch(
      new RegExp(
        `^npm start: ${bad.replace(/[.]/g, "\\.")}: row 3, column "date": .+; nothing was written to .+$`,
        "m",
      ),
    );
    expect(await data()).toEqual(before);

    // Another orders file is another world: refused, the folder as it was.
    output.stderr = "";
    const retail = [
      "--orders",
      RETAIL_FILE,
      "--mapping",
      join(dirname(RETAIL_FILE), "retail_lines.mapping.json"),
    ];
    expect(await start([...retail, "--out", out])).toBe(3);
    expect(output.stderr).toMatch(/holds another world: .*--replace/);
    expect(await data()).toEqual(before);
    // So is the generated shop.
    output.stderr = "";
    expect(await start(["--users", "3000", "--end", "2024-01-31", "--out", out])).toBe(3);
    expect(await data()).toEqual(before);

    // --replace swaps the other file in; the run history of the folder is kept.
    expect(await start([...retail, "--out", out, "--replace"])).toBe(0);
    expect(
      await rowsOf(
        out,
        "select status, failed_step from snapshots.pipeline_runs order by started_at",
      ),
    ).toEqual([
      { status: "succeeded", failed_step: null },
      { status: "failed", failed_step: "load" },
      { status: "succeeded", failed_step: null },
    ]);
  }, 300_000);
});
