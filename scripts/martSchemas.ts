/**
 * `npm run sql:schemas`: derives every SQL mart's and snapshot's output schema with the GoogleSQL
 * analyzer (the SQL gate's analysis, marts in dependency order) and writes it to
 * `infra/martSchemas.json`, from which the Pulumi program pre-creates the destination tables.
 * Run it after changing a mart's SQL; a test fails while the committed file is out of date.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TypeKind } from "@fivetrandevelopers/zetasql";
import type { TypeProto } from "@fivetrandevelopers/zetasql/lib/types/zetasql/TypeProto";
import { MARTS, type MartDeclaration } from "../functions/src/marts/catalog";
import {
  columnDocProblems,
  readColumnDocs,
  type ColumnDocs,
} from "../functions/src/marts/columnDocs";
import type { CatalogColumn } from "../functions/src/sqlgate/catalog";
import { formatIssue, runGate } from "../functions/src/sqlgate/gate";
import { startAnalyzer, stopAnalyzer, type AnalyzerServer } from "../functions/src/sqlgate/server";
import { fileSources, type SqlSource } from "../functions/src/sqlgate/sqlSources";
import { REGENERATE_COMMAND, type MartField, type MartSchemas } from "../infra/martTableSchemas";
import { CommandError, runMain, type CommandSpec } from "./cli/command";
import { formatWithPrettier } from "./cli/prettier";

/** Where the derived schemas are committed, relative to the checkout root. */
export const MART_SCHEMAS_FILE = "infra/martSchemas.json";

export const MART_SCHEMAS_COMMAND: CommandSpec = {
  command: REGENERATE_COMMAND,
  summary: [
    `Derives every mart's and snapshot's output schema with the GoogleSQL analyzer and writes`,
    `${MART_SCHEMAS_FILE}, from which the Pulumi program creates the BigQuery tables. Run it`,
    "after changing a mart's SQL or its column descriptions, and commit the file.",
  ].join("\n"),
  options: {},
  exitCodes: { 1: "the analyzer rejects a mart's SQL, or a column lacks a description" },
};

/** Scalar type kinds and the BigQuery column type each is stored as. */
const SCALAR_TYPES: ReadonlyMap<number, string> = new Map([
  [TypeKind.TYPE_INT64, "INT64"],
  [TypeKind.TYPE_DOUBLE, "FLOAT64"],
  [TypeKind.TYPE_NUMERIC, "NUMERIC"],
  [TypeKind.TYPE_BIGNUMERIC, "BIGNUMERIC"],
  [TypeKind.TYPE_BOOL, "BOOL"],
  [TypeKind.TYPE_STRING, "STRING"],
  [TypeKind.TYPE_BYTES, "BYTES"],
  [TypeKind.TYPE_DATE, "DATE"],
  [TypeKind.TYPE_DATETIME, "DATETIME"],
  [TypeKind.TYPE_TIME, "TIME"],
  [TypeKind.TYPE_TIMESTAMP, "TIMESTAMP"],
  [TypeKind.TYPE_GEOGRAPHY, "GEOGRAPHY"],
  [TypeKind.TYPE_JSON, "JSON"],
  [TypeKind.TYPE_INTERVAL, "INTERVAL"],
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The type kind as a number, whether the decoded proto gave its number or its name. */
function kindOf(type: TypeProto | null | undefined): number {
  const kind = type?.typeKind ?? TypeKind.TYPE_UNKNOWN;
  return typeof kind === "number" ? kind : TypeKind[kind];
}

function kindName(kind: number): string {
  return Object.entries(TypeKind).find(([, v]) => v === kind)?.[0] ?? `type kind ${kind}`;
}

/**
 * One analyzer column as a BigQuery JSON schema field: an ARRAY becomes a REPEATED field of its
 * element type, a STRUCT a RECORD with nested fields. A type BigQuery cannot store as a column
 * (an array of arrays, RANGE, protos, unnamed struct fields...) fails naming `where` and column.
 */
export function bigQueryField(
  name: string,
  type: TypeProto | null | undefined,
  where: string,
): MartField {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`${where}: column "${name}" is not a valid BigQuery column name; alias it`);
  }
  const kind = kindOf(type);
  if (kind === TypeKind.TYPE_ARRAY) {
    const element = type?.arrayType?.elementType;
    if (kindOf(element) === TypeKind.TYPE_ARRAY) {
      throw new Error(
        `${where}: column ${name} is an array of arrays, which BigQuery cannot store`,
      );
    }
    return { ...bigQueryField(name, element, where), mode: "REPEATED" };
  }
  if (kind === TypeKind.TYPE_STRUCT) {
    const members = type?.structType?.field ?? [];
    if (members.length === 0) throw new Error(`${where}: column ${name} is an empty STRUCT`);
    const fields = members.map((m) =>
      bigQueryField(m.fieldName ?? "", m.fieldType, `${where}.${name}`),
    );
    assertUniqueNames(fields, `${where}.${name}`);
    return { name, type: "RECORD", mode: "NULLABLE", fields };
  }
  const scalar = SCALAR_TYPES.get(kind);
  if (!scalar) {
    throw new Error(
      `${where}: column ${name} has type ${kindName(kind)}, which has no BigQuery column type ` +
        `here; cast it to one of ${[...SCALAR_TYPES.values()].join(", ")}, an ARRAY or a STRUCT`,
    );
  }
  return { name, type: scalar, mode: "NULLABLE" };
}

function assertUniqueNames(fields: readonly MartField[], where: string): void {
  const seen = new Set<string>();
  for (const f of fields) {
    const key = f.name.toLowerCase();
    if (seen.has(key)) throw new Error(`${where}: column ${f.name} appears twice`);
    seen.add(key);
  }
}

/** The BigQuery fields of an analysed output, in the order the SQL selects them. */
export function bigQueryFields(columns: readonly CatalogColumn[], where: string): MartField[] {
  const fields = columns.map((c) => bigQueryField(c.name, c.type, where));
  assertUniqueNames(fields, where);
  return fields;
}

/**
 * Every declared mart's output schema as the analyzer resolves it from the current SQL (marts that
 * read marts are analysed after them, against their resolved schemas), each column with its
 * description from the mart's sidecar (`readColumnDocs`). SQL the analyzer rejects, a declared
 * mart it resolves no output for, or a column without a description is an error: no schema is
 * guessed and no column goes undocumented.
 */
export async function deriveMartSchemas(
  server: AnalyzerServer,
  marts: readonly MartDeclaration[] = MARTS,
  sources: readonly SqlSource[] = fileSources().filter((s) => s.produces),
  docsOf: (decl: MartDeclaration) => ColumnDocs = (decl) => readColumnDocs(decl),
): Promise<MartSchemas> {
  const results = await runGate(server, sources, { duckdb: false });
  const problems = results.flatMap((r) => r.issues.map((issue) => formatIssue(r.path, issue)));
  if (problems.length > 0) {
    throw new Error(
      `The GoogleSQL analyzer rejects the SQL; fix it first:\n${problems.join("\n")}`,
    );
  }
  const schemas: Record<string, MartField[]> = {};
  const undocumented: string[] = [];
  for (const decl of [...marts].sort((a, b) => a.name.localeCompare(b.name))) {
    const output = results.find(
      (r) => r.output?.dataset === decl.dataset && r.output.name === decl.name,
    )?.output;
    if (!output) {
      throw new Error(
        `The analyzer resolved no output columns for ${decl.dataset}.${decl.name} (${decl.file})`,
      );
    }
    const fields = bigQueryFields(output.columns, decl.file);
    const docs = docsOf(decl);
    undocumented.push(
      ...columnDocProblems(
        decl,
        fields.map((f) => f.name),
        docs,
      ),
    );
    schemas[decl.name] = fields.map((f) =>
      docs[f.name] ? { ...f, description: docs[f.name] } : f,
    );
  }
  if (undocumented.length > 0) {
    throw new Error(`Every mart column needs one description:\n${undocumented.join("\n")}`);
  }
  return schemas;
}

/** How two schema documents differ, one line per mart; empty when they are equal. */
export function schemaDifferences(committed: MartSchemas, derived: MartSchemas): string[] {
  const names = [...new Set([...Object.keys(committed), ...Object.keys(derived)])].sort();
  const lines: string[] = [];
  const describe = (fields: readonly MartField[]) =>
    fields.map((f) => `${f.name} ${f.mode === "REPEATED" ? "ARRAY<" + f.type + ">" : f.type}`);
  for (const name of names) {
    const before = committed[name];
    const after = derived[name];
    if (!before) lines.push(`${name}: missing from the file`);
    else if (!after) lines.push(`${name}: in the file but not a declared mart`);
    else if (JSON.stringify(before) !== JSON.stringify(after)) {
      const described = (fields: readonly MartField[]) =>
        fields.map((f) => `${f.name}: ${f.description ?? ""}`);
      const redescribed = after
        .filter((f) => !described(before).includes(`${f.name}: ${f.description ?? ""}`))
        .map((f) => f.name);
      const gone = describe(before).filter((c) => !describe(after).includes(c));
      const added = describe(after).filter((c) => !describe(before).includes(c));
      lines.push(
        `${name}: ` +
          [
            gone.length ? `file has ${gone.join(", ")}` : "",
            added.length ? `SQL selects ${added.join(", ")}` : "",
            !gone.length && !added.length && redescribed.length
              ? `descriptions of ${redescribed.join(", ")} changed`
              : "",
            !gone.length && !added.length && !redescribed.length ? "columns in another order" : "",
          ]
            .filter(Boolean)
            .join("; "),
      );
    }
  }
  return lines;
}

/** Fails, saying how to fix it, when the committed schemas differ from the derived ones. */
export function assertSchemasCurrent(committed: MartSchemas, derived: MartSchemas): void {
  const differences = schemaDifferences(committed, derived);
  if (differences.length > 0) {
    throw new Error(
      `${MART_SCHEMAS_FILE} is out of date with the SQL; run \`${REGENERATE_COMMAND}\` and ` +
        `commit the result:\n${differences.map((d) => "  " + d).join("\n")}`,
    );
  }
}

/** The file's text, formatted by the project's Prettier, so regenerating leaves no lint diff. */
export function renderMartSchemas(schemas: MartSchemas): string {
  return formatWithPrettier(JSON.stringify(schemas), MART_SCHEMAS_FILE);
}

function rootDir(): string {
  return join(__dirname, "..");
}

async function main(): Promise<void> {
  const server = await startAnalyzer();
  try {
    const schemas = await deriveMartSchemas(server).catch((error: unknown) => {
      throw new CommandError((error as Error).message);
    });
    writeFileSync(join(rootDir(), MART_SCHEMAS_FILE), renderMartSchemas(schemas));
    const columns = Object.values(schemas).reduce((n, fields) => n + fields.length, 0);
    console.log(`${MART_SCHEMAS_FILE}: ${Object.keys(schemas).length} tables, ${columns} columns`);
  } finally {
    await stopAnalyzer();
  }
}

if (require.main === module) runMain(MART_SCHEMAS_COMMAND, main);
