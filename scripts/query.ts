/**
 * `npm run query -- "select ..."`: the local SQL console. It takes BigQuery-dialect SQL (what the
 * marts are written in) and runs it on the local DuckDB warehouse through the same translator as
 * the marts, so a query that works here runs unchanged in the BigQuery console. The warehouse is
 * opened read-only unless `--write` is given.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { queryParameters, type SqlParam } from "../functions/src/sql/render";
import { SqlTranslationError } from "../functions/src/sql/translate";
import {
  choiceValue,
  CommandError,
  existingFileValue,
  folderValue,
  oneLine,
  runCommand,
  runMain,
  stringValue,
  UsageError,
  type CommandSpec,
  type ParsedArgs,
} from "./cli/command";
import { formatRows, OUTPUT_FORMATS, type OutputFormat } from "./query/formatRows";
import { keepTranslations } from "./cli/keptTranslations";

export const QUERY_COMMAND: CommandSpec = {
  command: "npm run query",
  summary: [
    "Runs BigQuery-dialect SQL (GoogleSQL, as the marts are written) on the local warehouse,",
    "translated for DuckDB by the same translator as the marts, so what works here runs",
    "unchanged in BigQuery. Tables: raw.*, marts.*, snapshots.*. Read-only unless --write.",
  ].join("\n"),
  positional: { name: "SQL", help: "the query (or use --file)" },
  options: {
    file: { type: "string", value: "PATH", help: "read the query from a .sql file" },
    format: {
      type: "string",
      value: "FORMAT",
      help: `output: ${OUTPUT_FORMATS.join(", ")} (default table)`,
    },
    param: {
      type: "string",
      value: "NAME=VALUE",
      multiple: true,
      help: "a query parameter, for example run_date=2025-12-31 (a date, number, true/false or text)",
    },
    out: {
      type: "string",
      value: "DIR",
      help: "data folder holding warehouse.duckdb (default .data)",
    },
    write: { type: "boolean", help: "open the warehouse for writing (DML and DDL allowed)" },
  },
  exitCodes: {
    1: "the query failed (translation or DuckDB error, named), or there is no warehouse yet",
  },
  examples: [
    'npm run query -- "select segment, users, conversion_14d from marts.dm_tradeoff_summary"',
    "npm run -s query -- --file my_query.sql --format csv > out.csv   (-s: no npm banner in the file)",
    'npm run query -- --param run_date=2025-12-31 "select @run_date as d"',
  ],
};

export interface QueryOptions {
  readonly sql: string;
  readonly format: OutputFormat;
  readonly params: Record<string, SqlParam>;
  readonly out: string;
  readonly write: boolean;
}

export function queryOptions(args: ParsedArgs): QueryOptions {
  const file = stringValue(args, "file");
  const inline = args.positionals[0];
  if (file !== undefined && inline !== undefined) {
    throw new UsageError("--file", "give the query either inline or with --file, not both");
  }
  if (file === undefined && inline === undefined) {
    throw new UsageError("SQL", `no query given: npm run query -- "select ..." or --file PATH`);
  }
  const sql =
    file !== undefined ? readFileSync(existingFileValue("--file", file), "utf8") : inline!;
  if (sql.trim() === "")
    throw new UsageError(file !== undefined ? "--file" : "SQL", "the query is empty");
  const params: Record<string, SqlParam> = {};
  for (const raw of (args.values.param as readonly string[] | undefined) ?? []) {
    const match = /^([A-Za-z_]\w*)=(.*)$/s.exec(raw);
    if (!match) throw new UsageError("--param", `"${raw}" is not NAME=VALUE`);
    params[match[1]!] = paramValue(match[2]!);
  }
  const missing = queryParameters(sql).filter((name) => !(name in params));
  if (missing.length > 0) {
    throw new UsageError(
      "--param",
      `the query uses @${missing.join(", @")}; pass --param ${missing[0]}=...`,
    );
  }
  return {
    sql,
    params,
    format: choiceValue("--format", stringValue(args, "format", "table"), OUTPUT_FORMATS),
    out: folderValue("--out", stringValue(args, "out", ".data")),
    write: args.values.write === true,
  };
}

/** A parameter's value as BigQuery would type it: DATE, INT64/FLOAT64, BOOL, else STRING. */
export function paramValue(raw: string): SqlParam {
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return { date: raw };
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === "true" || raw === "false") return raw === "true";
  return raw;
}

/** Runs the command; returns the exit code. */
export function queryCli(argv: readonly string[]): Promise<number> {
  return runCommand(QUERY_COMMAND, argv, query);
}

async function query(args: ParsedArgs): Promise<number> {
  const options = queryOptions(args);
  const database = join(resolve(options.out), "warehouse.duckdb");
  // Opening a missing file would create an empty warehouse; say what to do instead.
  if (!existsSync(database))
    throw new CommandError(`no warehouse at ${database}: run npm start first`);
  let warehouse: DuckDbWarehouse;
  try {
    warehouse = await DuckDbWarehouse.open({ path: database, readOnly: !options.write });
  } catch (error) {
    throw new CommandError(`cannot open ${database}: ${oneLine((error as Error).message)}`);
  }
  try {
    const rows = await warehouse.query(options.sql, options.params);
    process.stdout.write(formatRows(rows, options.format));
    return 0;
  } catch (error) {
    throw new CommandError(queryFailure(error as Error, options.write));
  } finally {
    await warehouse.close();
  }
}

/** One line saying why a query failed, and what to do about a write on a read-only warehouse. */
export function queryFailure(error: Error, write: boolean): string {
  const message = oneLine(error.message);
  if (error instanceof SqlTranslationError) {
    const where = error.line
      ? ` (line ${error.line}${error.column ? `, column ${error.column}` : ""})`
      : "";
    return `cannot translate to DuckDB${where}: ${message.replace(/^Cannot translate to DuckDB: /, "")}`;
  }
  if (!write && /read-only/i.test(message)) {
    return `the warehouse is open read-only; pass --write to change it (${message})`;
  }
  return message;
}

if (require.main === module) {
  keepTranslations();
  runMain(QUERY_COMMAND, query);
}
