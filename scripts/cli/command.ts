import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";

/**
 * One way every command behaves: `npm start`, `npm run bench`, `report`, `query`, `sql:check`,
 * `sql:schemas`, `sql:generator`, `docs:catalog`, `bi:tableau`, `measure:campaign`, `serve` and
 * `replay` declare their flags here and get the same parsing
 * (Node's `util.parseArgs`: `--flag value`, `--flag=value`, `-h`), the same generated `--help`,
 * the same one-line errors and the same exit codes. A command's own checks (ranges, dates, paths)
 * throw `UsageError` naming the flag, so they read like the parser's.
 */

/** Exit codes shared by every command; `--help` lists them and the README documents them. */
export const EXIT = {
  /** The work was done. */
  ok: 0,
  /** The work failed: a data-quality check, a SQL error, a missing warehouse. */
  failed: 1,
  /**
   * The command line was wrong (a flag, a value, a path, a port in use): nothing was done or
   * written.
   */
  usage: 2,
} as const;

/** A bad command line. `flag` names the option (or argument) at fault; exit code 2. */
export class UsageError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = "UsageError";
  }
}

/**
 * A failure the user can act on (no warehouse yet, SQL that does not translate):
 * printed as one line, without a stack, with its exit code (1 unless said otherwise).
 */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

export interface OptionSpec {
  readonly type: "string" | "boolean";
  /** The value's placeholder in `--help`, for example `N` or `DIR`. */
  readonly value?: string;
  readonly help: string;
  /** A one-letter alias, for example `h`. */
  readonly short?: string;
  /** May be given more than once (values collected in order). */
  readonly multiple?: boolean;
}

export interface PositionalSpec {
  /** Shown in the usage line, for example `SQL` or `DIR`. */
  readonly name: string;
  readonly help: string;
  /** At most this many (default 1). */
  readonly max?: number;
}

export interface CommandSpec {
  /** How the user runs it, for example `npm start` or `npm run query`. */
  readonly command: string;
  /** What it does, a few lines of plain text. */
  readonly summary: string;
  /** Flags by long name, without the leading dashes; `help` is added to every command. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positional?: PositionalSpec;
  /** What codes 1 and 2 mean for this command, when more precise than the shared meaning. */
  readonly exitCodes?: Readonly<Partial<Record<number, string>>>;
  readonly examples?: readonly string[];
}

const HELP: OptionSpec = { type: "boolean", short: "h", help: "print this help and exit" };

/** The values of a parsed command line: strings, booleans and lists by long name. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/**
 * Parses `argv` against a command's flags. Unknown flags, missing values, repeated flags that
 * take a value, values given to switches and surplus arguments are `UsageError`s naming the flag,
 * found before any work (a switch given twice is simply on).
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = allOptions(spec);
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(options).map(([name, o]) => [
        name,
        { type: o.type, ...(o.short ? { short: o.short } : {}) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      positionals.push(token.value);
      const max = spec.positional ? (spec.positional.max ?? 1) : 0;
      if (positionals.length > max) {
        throw new UsageError(
          token.value,
          max === 0
            ? "unexpected argument; options start with --"
            : `unexpected argument: ${spec.command} takes at most ${max} ${spec.positional!.name}`,
        );
      }
      continue;
    }
    const option = options[token.name];
    const flag = option ? `--${token.name}` : token.rawName;
    if (!option) throw new UsageError(flag, `unknown option (see ${spec.command} -- --help)`);
    if (option.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(flag, "takes no value");
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || value === "" || (!token.inlineValue && value.startsWith("--"))) {
      throw new UsageError(flag, "needs a value");
    }
    if (option.multiple) {
      values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), value];
    } else {
      if (values[token.name] !== undefined) throw new UsageError(flag, "given more than once");
      values[token.name] = value;
    }
  }
  return { values, positionals, help: values.help === true };
}

function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, help: HELP };
}

/** The `--help` text, generated from the spec so it cannot leave a flag out. */
export function helpText(spec: CommandSpec): string {
  const options = allOptions(spec);
  const label = (name: string, o: OptionSpec) =>
    `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}`;
  const width = Math.max(...Object.entries(options).map(([n, o]) => label(n, o).length));
  const positional = spec.positional
    ? ` [${spec.positional.name}${(spec.positional.max ?? 1) > 1 ? "..." : ""}]`
    : "";
  const exitCodes = {
    [EXIT.ok]: "done",
    [EXIT.failed]: "the work failed (the message says why)",
    [EXIT.usage]: "bad command line (the flag or path is named); nothing was done",
    ...spec.exitCodes,
  };
  const lines = [
    `Usage: ${spec.command} -- [options]${positional}`,
    "",
    ...spec.summary.split("\n"),
    "",
  ];
  if (spec.positional) {
    lines.push(
      "Arguments:",
      `  ${spec.positional.name.padEnd(width)}  ${spec.positional.help}`,
      "",
    );
  }
  lines.push(
    "Options:",
    ...Object.entries(options).map(([n, o]) => `  ${label(n, o).padEnd(width)}  ${o.help}`),
    "",
    "Exit codes:",
    ...Object.entries(exitCodes).map(([code, meaning]) => `  ${code}  ${meaning}`),
  );
  if (spec.examples?.length) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/** Where a command writes; tests pass recorders. */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const PROCESS_IO: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/**
 * Runs a command: `--help` prints the help (exit 0); a `UsageError` from the parser or from
 * `main` prints one line and exits 2; a `CommandError` prints one line with its code. Anything
 * else is a bug and keeps its stack. Returns the exit code.
 */
export async function runCommand(
  spec: CommandSpec,
  argv: readonly string[],
  main: (args: ParsedArgs) => Promise<number | void>,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  try {
    const args = parseCommandLine(spec, argv);
    if (args.help) {
      io.stdout.write(`${helpText(spec)}\n`);
      return EXIT.ok;
    }
    return (await main(args)) ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${spec.command}: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof CommandError) {
      io.stderr.write(`${spec.command}: ${oneLine(error.message)}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

export interface RunMainOptions {
  /**
   * End the process once the command is done and its output is written, instead of when Node's
   * event loop empties. For a command that leaves nothing running (`npm start`): Node then skips
   * tearing down its heap, 30-40 ms of the run's last step. Not for a command whose work goes on
   * after `main` returns (a server).
   */
  readonly exitWhenDone?: boolean;
}

/**
 * The entry point of a script: runs the command on `process.argv` and sets the exit code; an
 * unexpected error (a bug, not a user mistake) is printed with its stack, exit 1.
 */
export function runMain(
  spec: CommandSpec,
  main: (args: ParsedArgs) => Promise<number | void>,
  options: RunMainOptions = {},
): void {
  runCommand(spec, process.argv.slice(2), main)
    .catch((error: unknown) => {
      process.stderr.write(
        `${spec.command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      return EXIT.failed;
    })
    .then(async (code) => {
      process.exitCode = code;
      if (!options.exitWhenDone) return;
      // Where stdout or stderr is written asynchronously (a pipe on macOS), exiting at once
      // could cut the last lines: an empty write's callback runs once all before it are out.
      await Promise.all([process.stdout, process.stderr].map((s) => flushed(s)));
      process.exit(code);
    });
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

/** A message squeezed onto one line (DuckDB and the translator answer over several). */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

// ---------------------------------------------------------------------------------------------
// Value checks shared by the commands. Each throws a UsageError naming the flag.

/** An integer flag within bounds (underscores allowed: `30_000`). */
export function integerValue(flag: string, raw: string, min: number, max: number): number {
  const plain = raw.replace(/_/g, "");
  const value = /^-?\d+$/.test(plain) ? Number(plain) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(flag, `"${raw}" is not an integer`);
  if (value < min || value > max) throw new UsageError(flag, `${value} is outside ${min}..${max}`);
  return value;
}

/** A calendar date written YYYY-MM-DD (2024-02-30 is refused). */
export function dateValue(flag: string, raw: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== raw) {
    throw new UsageError(flag, `"${raw}" is not a calendar date YYYY-MM-DD`);
  }
  return raw;
}

/** A DuckDB memory size such as 512MB or 2GB. */
export function sizeValue(flag: string, raw: string): string {
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(raw)) {
    throw new UsageError(flag, `"${raw}" is not a size such as 512MB or 2GB`);
  }
  return raw;
}

/** One of a fixed set of words. */
export function choiceValue<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(flag, `"${raw}" is not one of ${choices.join(", ")}`);
  }
  return raw as T;
}

/** A string flag's value, or the fallback when absent. */
export function stringValue(args: ParsedArgs, name: string, fallback: string): string;
export function stringValue(args: ParsedArgs, name: string): string | undefined;
export function stringValue(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : fallback;
}

/**
 * A data folder flag: a folder, or a path that can become one (writing `<out>/lake` under a
 * file would fail halfway with a system error). Returns the path as given.
 */
export function folderValue(flag: string, raw: string): string {
  let path = resolve(raw);
  while (!existsSync(path) && dirname(path) !== path) path = dirname(path);
  if (!statSync(path).isDirectory()) {
    throw new UsageError(flag, `${path === resolve(raw) ? raw : path} is a file, not a folder`);
  }
  return raw;
}

/** A file that must exist and be a file. */
export function existingFileValue(flag: string, raw: string): string {
  if (!existsSync(raw)) throw new UsageError(flag, `${raw}: no such file`);
  if (!statSync(raw).isFile()) throw new UsageError(flag, `${raw} is not a file`);
  return raw;
}
