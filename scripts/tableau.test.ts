import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { MARTS } from "../functions/src/marts/catalog";
import { tableauCli } from "./tableau";

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = jest
    .spyOn(process.stdout, "write")
    .mockImplementation((c) => ((stdout += String(c)), true));
  const err = jest
    .spyOn(process.stderr, "write")
    .mockImplementation((c) => ((stderr += String(c)), true));
  try {
    return { code: await tableauCli(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("npm run bi:tableau", () => {
  it("writes one well-formed .tds per mart and snapshot, on the stack's datasets", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tds-"));
    const result = await run(["--project", "my-analytics-dev", "--stack", "pr-12", "--out", dir]);
    expect(result.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(MARTS.map((m) => `${m.name}.tds`).sort());
    const rfm = readFileSync(join(dir, "rfm_daily.tds"), "utf8");
    expect(XMLValidator.validate(rfm)).toBe(true);
    expect(rfm).toContain("table='[snapshots_pr_12].[rfm_daily]'");
    expect(readFileSync(join(dir, "dm_kpi_daily.tds"), "utf8")).toContain("schema='marts_pr_12'");
  });

  it.each([
    [[], "--project: is required"],
    [["--project", "My_Project"], '--project: "My_Project" is not a Google Cloud project id'],
    [["--project", "my-analytics-dev", "--stack", "Dev!"], '--stack: "Dev!" is not a stack name'],
  ])("exits 2 on %j naming the flag", async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`npm run bi:tableau: ${message}`);
  });
});
