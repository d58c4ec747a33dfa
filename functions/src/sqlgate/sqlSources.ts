import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { listChecks } from "../checks";
import { MARTS } from "../marts/catalog";
import { sqlRoot } from "../sql/sqlFiles";
import type { Dataset } from "./catalog";

/**
 * Every piece of SQL the gate checks: the files under `sql/` and the checks generated from the
 * data contract, each with the table it produces when it is a mart or snapshot.
 */

export interface SqlSource {
  /** What a message names: `marts/dm_kpi_daily.sql`, or `contract:primary_key_users`. */
  readonly path: string;
  readonly sql: string;
  /** The table this SQL's result becomes, when it is a mart or an RFM snapshot. */
  readonly produces?: { readonly dataset: Exclude<Dataset, "raw">; readonly name: string };
}

/** `.sql` files under `dir`, recursively, as paths relative to it with forward slashes, sorted. */
export function listSqlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(".sql")) out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.map((p) => p.split(sep).join("/")).sort();
}

/**
 * The table a file produces: its MARTS declaration when it has one, else by convention
 * (`marts/x.sql` -> `marts.x`, `rfm/x.sql` -> `snapshots.x`). Checks produce nothing.
 */
export function producedTable(path: string): SqlSource["produces"] {
  const declared = MARTS.find((m) => m.file === path);
  if (declared) return { dataset: declared.dataset, name: declared.name };
  const name = basename(path, ".sql");
  if (path.startsWith("marts/")) return { dataset: "marts", name };
  if (path.startsWith("rfm/")) return { dataset: "snapshots", name };
  return undefined;
}

/** Every `.sql` file under `root` (default: the project's `sql/`). */
export function fileSources(root: string = sqlRoot()): SqlSource[] {
  return listSqlFiles(root).map((path) => ({
    path,
    sql: readFileSync(join(root, path), "utf8"),
    produces: producedTable(path),
  }));
}

/**
 * The checks generated from the data contract, from the checks module's `listChecks()`. Checks
 * named after a `sql/checks/<name>.sql` file are skipped: the gate reads those files itself and
 * reports them by path.
 */
export function contractCheckSources(root: string = sqlRoot()): SqlSource[] {
  const fileChecks = new Set(
    listSqlFiles(root)
      .filter((p) => p.startsWith("checks/"))
      .map((p) => basename(p, ".sql")),
  );
  return listChecks()
    .filter((c) => !fileChecks.has(c.name))
    .map((c) => ({ path: `contract:${c.name}`, sql: c.sql }));
}
