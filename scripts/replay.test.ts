import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FUNCTION_ENV } from "../functions/src/backends/fromEnv";
import { withDuckDbReadOnly } from "../functions/src/handlers/testSupport";
import { captureOutput, type CapturedOutput } from "./cli/testing/capturedOutput";
import { replay } from "./replay";

let dir: string;
let output: CapturedOutput;
const saved = { ...process.env };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "replay-"));
  output = captureOutput();
});
afterEach(async () => {
  jest.restoreAllMocks();
  process.env = { ...saved };
  await rm(dir, { recursive: true, force: true });
});

describe("npm run replay", () => {
  it("exits 2 naming the missing flag, before any work", async () => {
    expect(await replay(["--to", "2024-01-02", "--out", dir])).toBe(2);
    expect(output.stderr).toBe("npm run replay: --from: is required\n");
    expect(await replay(["--from", "2024-01-05", "--to", "2024-01-02"])).toBe(2);
    expect(output.stderr).toMatch(/--to: 2024-01-02 is before --from 2024-01-05/);
  });

  it("replays the chain day by day with one line per day and one run record per day", async () => {
    const out = join(dir, "data");
    const argv = ["--from", "2024-01-01", "--to", "2024-01-02", "--users", "3000", "--out", "data"];
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await replay(argv)).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    const lines = output.stdout.split("\n").filter((l) => /^\d{4}-\d{2}-\d{2} /.test(l));
    expect(lines.map((l) => l.slice(0, 15))).toEqual(["2024-01-01  1/2", "2024-01-02  2/2"]);
    expect(lines[0]).toMatch(/generate [\d.]+s, checks [\d.]+s, marts [\d.]+s, snapshot [\d.]+s/);
    // The folder as the command was given it, as npm start prints its own.
    expect(output.stdout).toMatch(
      /^Replayed 2 day\(s\) in [\d.]+ s \([\d.]+ s per day\) into data$/m,
    );
    const runs = await withDuckDbReadOnly(join(out, "warehouse.duckdb"), (query) =>
      query(
        "select run_kind, status, cast(days_start as varchar) as d from snapshots.pipeline_runs where run_kind = 'replay' order by d",
      ),
    );
    expect(runs).toEqual([
      { run_kind: "replay", status: "succeeded", d: "2024-01-01" },
      { run_kind: "replay", status: "succeeded", d: "2024-01-02" },
    ]);
  });

  it("stops at the first failing day with exit 1, naming the day and the step", async () => {
    const out = join(dir, "data");
    expect(
      await replay(["--from", "2024-01-01", "--to", "2024-01-01", "--users", "3000", "--out", out]),
    ).toBe(0);
    // Another scale on the same folder: the world check refuses the load of the next day.
    process.env[FUNCTION_ENV.generatorUsers] = "5000";
    expect(
      await replay(["--from", "2024-01-02", "--to", "2024-01-03", "--users", "5000", "--out", out]),
    ).toBe(1);
    expect(output.stderr).toMatch(
      /^npm run replay: 2024-01-02: step generate failed: 409 The warehouse holds another world: users 3000 \(asked 5000\)/m,
    );
  });
});
