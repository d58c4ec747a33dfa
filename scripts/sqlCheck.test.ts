import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("npm run sql:check", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "sql-check-"));
    mkdirSync(join(root, "marts"));
    writeFileSync(join(root, "marts", "good.sql"), "select user_id from raw.users\n");
    writeFileSync(
      join(root, "marts", "bad.sql"),
      "-- grain\nselect\n    user_idd\nfrom raw.users\n",
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("prints one line per file, the error as file:line:col message, and exits non-zero", () => {
    const run = spawnSync("npx", ["tsx", join(__dirname, "sqlCheck.ts"), root], {
      encoding: "utf8",
      timeout: 60_000,
    });
    const lines = run.stdout.trim().split("\n");
    expect(lines).toEqual([
      "error marts/bad.sql:3:5 Unrecognized name: user_idd; Did you mean user_id?",
      "ok    marts/good.sql",
      expect.stringMatching(/^2 SQL sources, 1 with errors/),
    ]);
    expect(run.status).toBe(1);
  });
});
