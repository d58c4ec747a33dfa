import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { start } from "./start";

let dir: string;
let output: { stdout: string; stderr: string };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "start-"));
  output = { stdout: "", stderr: "" };
  jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    output.stdout += String(chunk);
    return true;
  });
  jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    output.stderr += String(chunk);
    return true;
  });
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
    expect(existsSync(join(dir, "lake"))).toBe(false);
  });

  it("prints the help and exits 0 without touching the data folder", async () => {
    const out = join(dir, "data");
    expect(await start(["--help", "--out", out])).toBe(0);
    expect(output.stdout).toContain("--memory-limit");
    expect(existsSync(out)).toBe(false);
  });

  it("runs the whole pipeline on a small shop and leaves the raw tables loaded", async () => {
    const out = join(dir, "data");
    const argv = ["--users", "150", "--start", "2024-01-01", "--end", "2024-04-30", "--out", out];
    expect(await start(argv)).toBe(0);
    expect(output.stdout).toMatch(/Rows per raw table/);
    expect(output.stdout).toMatch(/Per user type/);
    // Every check by name, as dbt test reports its tests, then the totals.
    expect(output.stdout).toMatch(/ PASS {2}funnel_step_order \.+ +0 rows /);
    expect(output.stdout).toMatch(/^Done\. PASS=(\d+) FAIL=0 TOTAL=\1$/m);
    // One timing per stage: the closing table, never a second figure in the progress lines.
    expect(output.stderr).not.toMatch(/done in/);
    for (const stage of ["generate", "lake write", "load", "checks", "marts", "report"]) {
      expect(output.stdout.match(new RegExp(`^ {2}${stage} +\\d+\\.\\d\\d$`, "gm"))).toHaveLength(
        1,
      );
    }
    expect(
      existsSync(join(out, "lake", "raw", "events", "dt=2024-04-30", "part-0-of-1.parquet")),
    ).toBe(true);
    expect(existsSync(join(out, "report.html"))).toBe(true);
    expect(output.stdout).toContain(`Report: ${join(out, "report.html")}`);
    const warehouse = await DuckDbWarehouse.open({ path: join(out, "warehouse.duckdb") });
    try {
      const [users] = await warehouse.query<{ n: number }>("select count(*) as n from raw.users");
      expect(users!.n).toBe(150);
      const [marts] = await warehouse.query<{ n: number }>(
        "select count(*) as n from marts.dm_user_purchase_summary",
      );
      expect(marts!.n).toBeGreaterThan(0);
    } finally {
      await warehouse.close();
    }
  });

  it("drops the days a rerun's shorter world no longer has, from the lake and the warehouse", async () => {
    const out = join(dir, "data");
    const base = ["--users", "120", "--start", "2024-01-01", "--out", out];
    expect(await start([...base, "--end", "2024-03-31"])).toBe(0);
    expect(existsSync(join(out, "lake", "raw", "events", "dt=2024-03-31"))).toBe(true);
    expect(await start([...base, "--end", "2024-02-29"])).toBe(0);
    expect(existsSync(join(out, "lake", "raw", "events", "dt=2024-03-31"))).toBe(false);
    const warehouse = await DuckDbWarehouse.open({ path: join(out, "warehouse.duckdb") });
    try {
      const [last] = await warehouse.query<{ d: string }>(
        "select cast(max(date(event_ts)) as string) as d from raw.events",
      );
      expect(last!.d <= "2024-02-29").toBe(true);
      // The RFM history and the per-date marts are rewound to the new end, not refused.
      const [history] = await warehouse.query<{ d: string }>(
        "select cast(max(valid_from) as string) as d from snapshots.rfm_segment_history",
      );
      expect(history!.d).toBe("2024-02-29");
      const [kpi] = await warehouse.query<{ d: string }>(
        "select cast(max(kpi_date) as string) as d from marts.dm_kpi_daily",
      );
      expect(kpi!.d).toBe("2024-02-29");
    } finally {
      await warehouse.close();
    }
  });

  it("exits 1 naming the failing check with sample rows when raw data breaks a rule", async () => {
    const out = join(dir, "data");
    const argv = ["--users", "150", "--start", "2024-01-01", "--end", "2024-04-30", "--out", out];
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
    expect(output.stdout).toMatch(/ FAIL {2}order_id_only_on_purchase \.+ +1 row /);
    expect(output.stdout).toMatch(/^Done\. PASS=\d+ FAIL=[1-9]\d* TOTAL=\d+$/m);
    expect(output.stdout).not.toMatch(/Per user type/);
  });
});
