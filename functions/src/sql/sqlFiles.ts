import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The project's `sql/` folder. Found by walking up from this module rather than from the working
 * directory, so the same lookup works in a test, in the local runner and inside a deployed
 * function's archive (which carries `sql/` beside `functions/`).
 */
export function sqlRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, "sql");
    if (existsSync(join(candidate, "checks"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No sql/ folder found above ${__dirname}`);
    dir = parent;
  }
}

/** Reads one SQL file by its path under `sql/`, for example `marts/dm_kpi_daily.sql`. */
export function readSql(relativePath: string): string {
  return readFileSync(resolve(sqlRoot(), relativePath), "utf8");
}
