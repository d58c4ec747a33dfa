import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
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

interface CheckLike {
  name: string;
  sql: string;
  source?: string;
}

function isCheckList(value: unknown): value is CheckLike[] {
  return (
    Array.isArray(value) &&
    value.every(
      (c) =>
        typeof c === "object" &&
        c !== null &&
        typeof (c as CheckLike).name === "string" &&
        typeof (c as CheckLike).sql === "string",
    )
  );
}

/**
 * The checks generated from the data contract. The checks module is optional to the gate (it is
 * built alongside), so it is loaded at run time: `listChecks()` from `functions/src/checks` when it
 * exists, else `contractChecks()`. Checks named after a `sql/checks/<name>.sql` file are skipped:
 * the gate reads those files itself and reports them by path.
 */
export function contractCheckSources(root: string = sqlRoot()): SqlSource[] {
  const fileChecks = new Set(
    listSqlFiles(root)
      .filter((p) => p.startsWith("checks/"))
      .map((p) => basename(p, ".sql")),
  );
  const candidates: [string, string][] = [
    ["../checks", "listChecks"],
    ["../checks/contractChecks", "contractChecks"],
  ];
  for (const [module, exportName] of candidates) {
    let loaded: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional, found at run time
      loaded = require(module) as Record<string, unknown>;
    } catch (error) {
      if ((error as { code?: string }).code === "MODULE_NOT_FOUND") continue;
      throw error;
    }
    const fn = loaded[exportName];
    if (typeof fn !== "function") continue;
    const checks: unknown = (fn as () => unknown)();
    if (!isCheckList(checks)) {
      throw new Error(`${exportName}() did not return a list of { name, sql }`);
    }
    return checks
      .filter((c) => (c.source ?? "contract") === "contract" && !fileChecks.has(c.name))
      .map((c) => ({ path: `contract:${c.name}`, sql: c.sql }));
  }
  return [];
}
