import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { renderMartParameters } from "../marts/martParameters";
import { sqlRoot } from "../sql/sqlFiles";
import type { CheckDefinition } from "./contractChecks";

/**
 * The leading `--` comment block of a check file, as one line of text. Every check states what it
 * asserts and the grain of a violation row there, and that text is what a failure report shows.
 * An empty comment line (`--`) ends it, so notes on how the check is computed can follow.
 */
export function headerComment(sql: string): string {
  const lines: string[] = [];
  for (const line of sql.split(/\r?\n/)) {
    const m = /^\s*--\s?(.*)$/.exec(line);
    if (!m || m[1]!.trim() === "") break;
    lines.push(m[1]!.trim());
  }
  return lines.join(" ").trim();
}

/**
 * The hand-written checks: every `sql/checks/*.sql`, named by its base name, in name order. A file
 * without a header comment is an error, so a check can never fail without saying what it meant.
 */
export function fileChecks(folder = join(sqlRoot(), "checks")): CheckDefinition[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(folder, file), "utf8");
      const description = headerComment(sql);
      if (!description) {
        throw new Error(`sql/checks/${file} has no header comment saying what it asserts`);
      }
      // A check restating a mart's rule (the campaign eligibility) takes the mart's parameters.
      return {
        name: file.replace(/\.sql$/, ""),
        description,
        sql: renderMartParameters(sql),
        source: "file" as const,
      };
    });
}
