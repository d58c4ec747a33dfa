import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { MartDeclaration } from "../functions/src/marts/catalog";

/**
 * The output schema of every mart and snapshot table, as BigQuery JSON schema fields. A mart's
 * schema is whatever its SQL selects, so it is not written by hand: `npm run sql:schemas`
 * (scripts/martSchemas.ts) derives it with the GoogleSQL analyzer into `infra/martSchemas.json`,
 * and a test fails when that file no longer matches the SQL. The warehouse pre-creates the tables
 * from it, so they get their declared partitioning, clustering and deletion protection.
 */

/** The command that regenerates `infra/martSchemas.json`; every staleness error names it. */
export const REGENERATE_COMMAND = "npm run sql:schemas";

/** One column of a BigQuery JSON schema; RECORD columns nest their fields. */
export interface MartField {
  readonly name: string;
  readonly type: string;
  readonly mode: "NULLABLE" | "REPEATED";
  /** From the mart's column descriptions (`sql/marts/<mart>.yml`); BigQuery shows it per column. */
  readonly description?: string;
  readonly fields?: readonly MartField[];
}

/** Fields by mart name. */
export type MartSchemas = Readonly<Record<string, readonly MartField[]>>;

const Field: z.ZodType<MartField> = z.lazy(() =>
  z
    .object({
      name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      type: z.string().regex(/^[A-Z0-9]+$/),
      mode: z.enum(["NULLABLE", "REPEATED"]),
      // BigQuery's limit on a column description.
      description: z.string().min(1).max(1024).optional(),
      fields: z.array(Field).min(1).optional(),
    })
    .strict()
    .refine((f) => (f.type === "RECORD") === (f.fields !== undefined), {
      message: "a RECORD field has nested fields, and only a RECORD field has them",
    }),
);
const Schemas = z.record(z.string(), z.array(Field).min(1));

/** Validates a schemas document (the JSON file's content); a malformed one names the bad path. */
export function parseMartSchemas(json: unknown, source = "infra/martSchemas.json"): MartSchemas {
  const parsed = Schemas.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `${source} is malformed at ${issue.path.join(".") || "(root)"}: ${issue.message}; ` +
        `regenerate it with \`${REGENERATE_COMMAND}\``,
    );
  }
  return parsed.data;
}

/**
 * The committed schemas (`infra/martSchemas.json`), validated. Read at call time rather than
 * imported, so a broken file cannot stop the generator that rewrites it from loading.
 */
export function committedMartSchemas(path = join(__dirname, "martSchemas.json")): MartSchemas {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(
      `Cannot read infra/martSchemas.json (${(error as Error).message}); ` +
        `regenerate it with \`${REGENERATE_COMMAND}\``,
    );
  }
  return parseMartSchemas(json);
}

const TIME_TYPES = new Set(["DATE", "TIMESTAMP", "DATETIME"]);

/**
 * The schema a mart's destination table is created with. Fails, naming the mart and the fix, when
 * the mart has no schema or its declared partitioning or clustering columns are not top-level
 * scalar columns of it (BigQuery would refuse to create the table mid-deploy).
 */
export function martTableFields(decl: MartDeclaration, schemas: MartSchemas): readonly MartField[] {
  const fields = schemas[decl.name];
  if (!fields) {
    throw new Error(
      `Mart ${decl.name} (${decl.file}) has no schema in infra/martSchemas.json; ` +
        `run \`${REGENERATE_COMMAND}\``,
    );
  }
  const column = (name: string) => fields.find((f) => f.name === name && f.mode === "NULLABLE");
  if (decl.partitioning) {
    const field = column(decl.partitioning.column);
    if (!field || !TIME_TYPES.has(field.type)) {
      throw new Error(
        `Mart ${decl.name} is partitioned on ${decl.partitioning.column}, which its schema ` +
          `does not have as a DATE, TIMESTAMP or DATETIME column; fix the declaration or run ` +
          `\`${REGENERATE_COMMAND}\``,
      );
    }
  }
  const missing = decl.clustering.filter((c) => {
    const field = column(c);
    return !field || field.type === "RECORD";
  });
  if (missing.length > 0) {
    throw new Error(
      `Mart ${decl.name} is clustered on ${missing.join(", ")}, not scalar columns of its ` +
        `schema; fix the declaration or run \`${REGENERATE_COMMAND}\``,
    );
  }
  return fields;
}
