import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The files of a small checkout: an entry, a handler, a test, dev tooling, SQL, infra, a README. */
export const FIXTURE_FILES: Record<string, string> = {
  "functions/src/index.ts": [
    'import * as functions from "@google-cloud/functions-framework";',
    'import { generateData } from "./handlers/generateData";',
    'functions.http("generateData", generateData);',
    'functions.http("refreshRfmSnapshot", (_req, res) => { res.send("ok"); });',
    "",
  ].join("\n"),
  "functions/src/handlers/generateData.ts": [
    'import type { Request, Response } from "@google-cloud/functions-framework";',
    'import { readFileSync } from "node:fs";',
    'import { rows } from "../pipeline/rows";',
    "export function generateData(_req: Request, res: Response): void {",
    "  res.json({ rows: rows(), fs: typeof readFileSync });",
    "}",
    "",
  ].join("\n"),
  "functions/src/pipeline/rows.ts": "export const rows = (): number => 42;\n",
  "functions/src/pipeline/rows.test.ts": 'it("counts", () => expect(1).toBe(1));\n',
  "functions/src/sqlgate/gate.ts": 'import "@fivetrandevelopers/zetasql";\n',
  "sql/marts/dm_example.sql": "-- One row per day.\nselect @run_date as day\n",
  "sql/checks/pk_example.sql": "select 1 as x from raw.users where false\n",
  "infra/index.ts": "export const x = 1;\n",
  "README.md": "# readme\n",
};

/**
 * Writes a throwaway checkout under the OS temp folder, with the real root package.json, lock file
 * and tsconfig.json, so packaging tests can change one file and compare hashes.
 */
export function fixtureCheckout(
  realRoot: string,
  files: Record<string, string> = FIXTURE_FILES,
): string {
  const root = mkdtempSync(join(tmpdir(), "fn-src-"));
  for (const f of ["package.json", "package-lock.json", "tsconfig.json"])
    cpSync(join(realRoot, f), join(root, f));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
