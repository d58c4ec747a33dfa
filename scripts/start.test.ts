import childProcess from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { fileListing } from "../functions/src/handlers/testSupport";
import { queryRows } from "../functions/src/warehouse/duckdb";
import { captureOutput, warehouseRows, type CapturedOutput } from "./cli/testing/capturedOutput";
import { renderersLeft } from "./report/testing/renderers";
import { start } from "./start";

/** A small world: a scale of 3,000 over two years is ~500 users by the end of April 2024. */
const SMALL = ["--users", "3000", "--start", "2024-01-01", "--end", "2024-04-30"];

/** Rows of a query on the folder's warehouse, read-only. */
const rowsOf = warehouseRows;

let dir: string;
let output: CapturedOutput;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "start-"));
  output = captureOutput();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  it.each([
    [["--users", "ten"], "--users"],
    [["--users", "99"], "--users"],
    [["--end", "2023-12-31"], "--end"],
    [["--start", "2024-13-01"], "--start"],
    [["--colour", "red"], "--colour"],
  ])("exits 2 on %j, naming %s, before any work", async (argv, flag) => {
    const out = join(dir, "data");
    expect(await start([...argv, "--out", out])).toBe(2);
    expect(output.stderr).toContain(`npm start: ${flag}: `);
    expect(existsSync(out)).toBe(false);
  });

  it("exits 2 naming --out when it is a file, and writes nothing", async () => {
    const file = join(dir, "not-a-folder");
    await writeFile(file, "x");
    expect(await start(["--out", file])).toBe(2);
    expect(output.stderr).toBe(`npm start: --out: ${file} is a file, not a folder\n`);
    // Nothing beside the file, and the file as it was.
    expect(readdirSync(dir)).toEqual(["not-a-folder"]);
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("prints the help and exits 0 without touching the data folder", async () => {
    const out = join(dir, "data");
    expect(await start(["--help", "--out", out])).toBe(0);
    expect(output.stdout).toContain("--memory-limit");
    expect(existsSync(out)).toBe(false);
  });

  it("runs the whole pipeline on a small shop: every day's KPIs, month-end snapshots, a run record", async () => {
    const out = join(dir, "data");
    // The staging warehouse is built from empty: its checkpoints have no deleted rows to reclaim,
    // and do not merge row groups (`vacuum: false`).
    const settings: unknown[] = [];
    // The report's renderer is started before the process grows, and waits for the charts: the
    // report draws with it, and starts no other.
    let renderersAtGenerate = "";
    const spawn = jest.spyOn(childProcess, "spawn");
    const hooks = {
      beforeStep: async (step: string) => {
        if (step === "generate") renderersAtGenerate = await renderersLeft(0);
      },
      beforeChecks: async (warehouse: DuckDbWarehouse) => {
        settings.push(
          ...(await queryRows(
            warehouse.connection,
            "select current_setting('max_vacuum_tasks')::int as max_vacuum_tasks",
          )),
        );
      },
    };
    expect(await start([...SMALL, "--out", out], hooks)).toBe(0);
    expect(settings).toEqual([{ max_vacuum_tasks: 0 }]);
    expect(renderersAtGenerate).toMatch(/^\d+$/);
    const renderers = spawn.mock.calls.filter(([, args]) =>
      /renderSvg|--snapshot-blob/.test(String(args)),
    );
    expect(renderers).toHaveLength(1);
    expect(await renderersLeft()).toBe("");
    expect(output.stdout).toMatch(/Rows per raw table/);
    expect(output.stdout).toMatch(/Per user type/);
    expect(output.stdout).toMatch(/add to cart, of viewing sessions +\d+\.\d% +8-15%/);
    expect(output.stdout).toMatch(/Data through 2024-04-30; 4 RFM snapshots; report: /);
    // Every check by name, as dbt test reports its tests, then the totals.
    expect(output.stdout).toMatch(/ PASS {2}funnel_step_order \.+ +0 rows /);
    expect(output.stdout).toMatch(/^Done\. PASS=(\d+) FAIL=0 TOTAL=\1$/m);
    // One timing per stage: the closing table, never a second figure in the progress lines.
    expect(output.stderr).not.toMatch(/done in/);
    for (const stage of ["generate", "lake write", "load", "checks", "marts", "report", "swap"]) {
      expect(output.stdout.match(new RegExp(`^ {2}${stage} +\\d+\\.\\d\\d$`, "gm"))).toHaveLength(
        1,
      );
    }
    expect(
      existsSync(join(out, "lake", "raw", "events", "dt=2024-04-30", "part-0-of-1-b0.parquet")),
    ).toBe(true);
    expect(existsSync(join(out, "report.html"))).toBe(true);
    // Nothing of the staging folder is left behind.
    expect(readdirSync(out).sort()).toEqual(["lake", "report.html", "warehouse.duckdb"]);
    const [counts] = await rowsOf(
      out,
      `select (select count(*) from raw.users) as users,
              (select count(*) from marts.dm_user_purchase_summary) as summary,
              (select count(*) from marts.dm_kpi_daily) as kpi_days,
              (select min(kpi_date)::varchar from marts.dm_kpi_daily) as first_kpi,
              (select string_agg(distinct snapshot_date::varchar, ',' order by snapshot_date::varchar)
                 from snapshots.rfm_daily) as snapshots`,
    );
    expect(Number(counts!.users)).toBeGreaterThan(300);
    expect(Number(counts!.summary)).toBeGreaterThan(0);
    expect(Number(counts!.kpi_days)).toBe(121);
    expect(counts!.first_kpi).toBe("2024-01-01");
    expect(counts!.snapshots).toBe("2024-01-31,2024-02-29,2024-03-31,2024-04-30");
    expect(
      await rowsOf(
        out,
        "select run_kind, status, data_through::varchar as d from snapshots.pipeline_runs",
      ),
    ).toEqual([{ run_kind: "bulk", status: "succeeded", d: "2024-04-30" }]);
    expect(
      await rowsOf(
        out,
        "select users::int as users, data_through::varchar as d from raw.world_manifest",
      ),
    ).toEqual([{ users: 3000, d: "2024-04-30" }]);
  });

  it("makes a rerun with an earlier end a prefix of the same world, keeping the run history", async () => {
    const out = join(dir, "data");
    const base = ["--users", "3000", "--start", "2024-01-01", "--out", out];
    expect(await start([...base, "--end", "2024-03-31"])).toBe(0);
    expect(existsSync(join(out, "lake", "raw", "events", "dt=2024-03-31"))).toBe(true);
    expect(await start([...base, "--end", "2024-02-29"])).toBe(0);
    expect(existsSync(join(out, "lake", "raw", "events", "dt=2024-03-31"))).toBe(false);
    const [last] = await rowsOf(
      out,
      `select (select max(cast(event_ts as date))::varchar from raw.events) as events,
              (select max(valid_from)::varchar from snapshots.rfm_segment_history) as history,
              (select max(kpi_date)::varchar from marts.dm_kpi_daily) as kpi,
              (select count(*)::int from snapshots.pipeline_runs) as runs`,
    );
    expect(last).toEqual({
      events: "2024-02-29",
      history: "2024-02-29",
      kpi: "2024-02-29",
      runs: 2,
    });
  });

  it("writes a rerun's lake over the files of the lake the last swap replaced, leaving exactly a new folder's lake", async () => {
    const [out, fresh] = [join(dir, "data"), join(dir, "fresh")];
    const base = ["--users", "3000", "--start", "2024-01-01"];
    const day = join("lake", "raw", "events", "dt=2024-02-01", "part-0-of-1-b0.parquet");
    expect(await start([...base, "--end", "2024-03-31", "--out", out])).toBe(0);
    const inode = statSync(join(out, day)).ino;
    // The second run keeps the first run's lake as the previous lake; the third writes over it.
    expect(await start([...base, "--end", "2024-03-31", "--out", out])).toBe(0);
    expect(existsSync(join(out, ".previous-lake", "manifest.json"))).toBe(true);
    expect(await start([...base, "--end", "2024-02-29", "--out", out])).toBe(0);
    expect(statSync(join(out, day)).ino).toBe(inode);
    expect(await start([...base, "--end", "2024-02-29", "--out", fresh])).toBe(0);
    // The manifest says when it was written; every other file is the same, and no March day or
    // half-written file is left.
    const files = async (folder: string) =>
      (await fileListing(join(folder, "lake"))).filter((f) => !f.startsWith("manifest.json "));
    const written = await files(out);
    expect(written).toEqual(await files(fresh));
    expect(written.length).toBeGreaterThan(300);
    expect(readdirSync(join(out, "lake", "raw", "events"))).toHaveLength(31 + 29);
  });

  it("refuses a folder of another world with exit 3, naming what differs, and changes nothing", async () => {
    const out = join(dir, "data");
    expect(await start([...SMALL, "--out", out])).toBe(0);
    const before = await fileListing(out);
    output.stderr = "";
    expect(
      await start([
        "--users",
        "4000",
        "--start",
        "2024-01-01",
        "--end",
        "2024-04-30",
        "--out",
        out,
      ]),
    ).toBe(3);
    expect(output.stderr).toMatch(/holds another world: users 3000 \(asked 4000\).*--replace/);
    expect(await fileListing(out)).toEqual(before);
    expect(
      await start([
        "--users",
        "4000",
        "--start",
        "2024-01-01",
        "--end",
        "2024-01-31",
        "--out",
        out,
        "--replace",
      ]),
    ).toBe(0);
    expect(await rowsOf(out, "select users::int as users from raw.world_manifest")).toEqual([
      { users: 4000 },
    ]);
  });

  it.each(["generate", "load", "checks", "marts", "report", "swap"])(
    "leaves the previous data readable and records the failed step when %s fails",
    async (failing) => {
      const out = join(dir, "data");
      expect(await start([...SMALL, "--out", out])).toBe(0);
      const before = await fileListing(join(out, "lake"));
      const tables = await rowsOf(
        out,
        "select (select count(*) from raw.events) as events, (select count(*) from marts.dm_kpi_daily) as kpi",
      );
      output.stderr = "";
      const code = await start([...SMALL, "--out", out], {
        beforeStep: async (step) => {
          if (step === failing) throw new Error(`injected fault in ${step}`);
        },
      });
      expect(code).toBe(1);
      // Progress lines may come first; the failure is one line of its own.
      expect(output.stderr).toMatch(
        new RegExp(
          `^npm start: step ${failing} failed; .* still holds the previous data: injected fault in ${failing}$`,
          "m",
        ),
      );
      expect(await fileListing(join(out, "lake"))).toEqual(before);
      expect(
        await rowsOf(
          out,
          "select (select count(*) from raw.events) as events, (select count(*) from marts.dm_kpi_daily) as kpi",
        ),
      ).toEqual(tables);
      expect(
        await rowsOf(
          out,
          "select status, failed_step, error from snapshots.pipeline_runs order by started_at",
        ),
      ).toEqual([
        { status: "succeeded", failed_step: null, error: null },
        { status: "failed", failed_step: failing, error: `injected fault in ${failing}` },
      ]);
      // A failure after the lake write keeps the failed run's lake for the next run to write over.
      const kept = failing === "generate" ? [] : [".previous-lake"];
      expect(readdirSync(out).sort()).toEqual([...kept, "lake", "report.html", "warehouse.duckdb"]);
      // The renderer started before the failure is stopped with the run.
      expect(await renderersLeft()).toBe("");
    },
  );

  it("writes the run after a failed one over the failed run's lake, leaving the same lake", async () => {
    const out = join(dir, "data");
    const day = join("raw", "events", "dt=2024-02-01", "part-0-of-1-b0.parquet");
    expect(await start([...SMALL, "--out", out])).toBe(0);
    const before = await fileListing(join(out, "lake"));
    const failing = {
      beforeStep: async (step: string) => {
        if (step === "marts") throw new Error("injected fault in marts");
      },
    };
    expect(await start([...SMALL, "--out", out], failing)).toBe(1);
    const inode = statSync(join(out, ".previous-lake", day)).ino;
    expect(await start([...SMALL, "--out", out])).toBe(0);
    expect(statSync(join(out, "lake", day)).ino).toBe(inode);
    const files = async () =>
      (await fileListing(join(out, "lake"))).filter((f) => !f.startsWith("manifest.json "));
    expect(await files()).toEqual(before.filter((f) => !f.startsWith("manifest.json ")));
  });

  it("exits 1 naming the failing check with sample rows, keeping the previous data", async () => {
    const out = join(dir, "data");
    const argv = [...SMALL, "--out", out];
    expect(await start(argv)).toBe(0);
    const before = await fileListing(join(out, "lake"));
    output.stdout = "";
    const code = await start(argv, {
      beforeChecks: async (warehouse) => {
        await warehouse.connection.run(
          "update raw.events set order_id = 'O_BOGUS' where event_id = (select min(event_id) from raw.events where event_type = 'view')",
        );
      },
    });
    expect(code).toBe(1);
    expect(output.stderr).toMatch(/data-quality checks? failed/);
    expect(output.stderr).toContain("O_BOGUS");
    expect(output.stderr).toMatch(/Nothing was replaced: .* holds the previous data/);
    expect(output.stdout).toMatch(/ FAIL {2}order_id_only_on_purchase \.+ +1 row /);
    expect(output.stdout).toMatch(/^Done\. PASS=\d+ FAIL=[1-9]\d* TOTAL=\d+$/m);
    expect(output.stdout).not.toMatch(/Per user type/);
    expect(await renderersLeft()).toBe("");
    expect(await fileListing(join(out, "lake"))).toEqual(before);
    expect(
      await rowsOf(out, "select count(*)::int as n from raw.events where order_id = 'O_BOGUS'"),
    ).toEqual([{ n: 0 }]);
    const [failed] = await rowsOf(
      out,
      "select failed_step from snapshots.pipeline_runs where status = 'failed'",
    );
    expect(failed).toEqual({ failed_step: "checks" });
  });
});
