import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { sqlRoot } from "../sql/sqlFiles";
import type { MartDeclaration } from "./catalog";

/**
 * Every mart column described once, beside its SQL: `sql/marts/dm_x.sql` has `sql/marts/dm_x.yml`
 *
 *   columns:
 *     user_id: The user (raw.users.user_id); anomaly-flagged users are left out.
 *
 * From there the descriptions reach the BigQuery schemas Pulumi creates (`npm run sql:schemas`
 * copies them into `infra/martSchemas.json`), the DuckDB warehouse (`COMMENT ON`, after each
 * refresh), the Tableau data sources and `docs/catalog.md`. A new column needs one line here;
 * `npm run sql:schemas` refuses to run, naming mart and column, until it has it. (The table's
 * own description is `MartDeclaration.description`, in the catalog.)
 *
 * Read by the local tools only; the deployed functions never load it.
 */

/** Column name to its description, in the file's order. */
export type ColumnDocs = Readonly<Record<string, string>>;

/** The sidecar file of a mart, as a path under `sql/`. */
export function columnDocsFile(decl: Pick<MartDeclaration, "file">): string {
  return decl.file.replace(/\.sql$/, ".yml");
}

/**
 * A mart's column descriptions. A missing sidecar is an empty set (so the check below names
 * every column); a malformed one is an error naming the file and what is wrong.
 */
export function readColumnDocs(decl: Pick<MartDeclaration, "file">, root = sqlRoot()): ColumnDocs {
  const file = columnDocsFile(decl);
  const path = resolve(root, file);
  if (!existsSync(path)) return {};
  return parseColumnDocs(readFileSync(path, "utf8"), `sql/${file}`);
}

/** Parses a sidecar's text; `source` names it in errors. */
export function parseColumnDocs(text: string, source: string): ColumnDocs {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const columns = (document as { columns?: unknown } | null)?.columns;
  if (typeof columns !== "object" || columns === null || Array.isArray(columns)) {
    throw new Error(`${source} needs a "columns:" mapping of column name to description`);
  }
  const docs: Record<string, string> = {};
  for (const [name, description] of Object.entries(columns)) {
    if (typeof description !== "string" || description.trim() === "") {
      throw new Error(`${source}: column ${name} needs a one-line text description`);
    }
    docs[name] = description.trim();
  }
  return docs;
}

/**
 * What is wrong between the columns a mart selects and its descriptions, one line per problem,
 * each naming the mart and the column: a column without a description, or a description of a
 * column the SQL no longer selects. Empty when every column is described once.
 */
export function columnDocProblems(
  decl: Pick<MartDeclaration, "name" | "dataset" | "file">,
  columns: readonly string[],
  docs: ColumnDocs,
): string[] {
  const file = `sql/${columnDocsFile(decl)}`;
  const table = `${decl.dataset}.${decl.name}`;
  return [
    ...columns
      .filter((c) => !docs[c])
      .map((c) => `${table}.${c} has no description: add "${c}: ..." under columns: in ${file}`),
    ...Object.keys(docs)
      .filter((c) => !columns.includes(c))
      .map((c) => `${file} describes ${table}.${c}, which the SQL does not select: remove it`),
  ];
}
