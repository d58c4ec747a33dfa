import { DEFAULT_GENERATE_OPTIONS } from "../../functions/src/generator";

/** Everything `npm start` needs, validated once before any work starts. */
export interface StartOptions {
  readonly users: number;
  readonly seed: number;
  /** First day of the shop, YYYY-MM-DD. */
  readonly start: string;
  /** Last day of the shop (the observation end), YYYY-MM-DD. */
  readonly end: string;
  /** Data folder: the lake goes to `<out>/lake`, the warehouse to `<out>/warehouse.duckdb`. */
  readonly out: string;
  /**
   * DuckDB memory limit for generation and the warehouse, for example `1GB`; when absent each
   * uses its own default (500MB for generation, 1GB for the warehouse).
   */
  readonly memoryLimit?: string;
  /** Replace the data folder even when it holds another world. */
  readonly replace: boolean;
  readonly help: boolean;
}

/** A bad command line. `flag` names the option at fault; the process exits with code 2. */
export class UsageError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
    this.name = "UsageError";
  }
}

export const MIN_USERS = 100;
export const MAX_USERS = 5_000_000;

interface FlagSpec {
  readonly name: string;
  readonly value: string;
  readonly help: string;
}

/** The flags, in the order `--help` lists them; the help text is generated from this list. */
export const START_FLAGS: readonly FlagSpec[] = [
  {
    name: "--users",
    value: "N",
    help: `scale: users who sign up over the first two years, ${MIN_USERS}..${MAX_USERS} (default ${DEFAULT_GENERATE_OPTIONS.users})`,
  },
  {
    name: "--seed",
    value: "N",
    help: `random seed, 0..2147483647 (default ${DEFAULT_GENERATE_OPTIONS.seed})`,
  },
  {
    name: "--start",
    value: "YYYY-MM-DD",
    help: `first day of the shop (default ${DEFAULT_GENERATE_OPTIONS.startDate})`,
  },
  {
    name: "--end",
    value: "YYYY-MM-DD",
    help: `last day of data: how far the open-ended world is generated (default ${DEFAULT_GENERATE_OPTIONS.endDate})`,
  },
  {
    name: "--out",
    value: "DIR",
    help: "data folder for lake/ and warehouse.duckdb (default .data)",
  },
  {
    name: "--memory-limit",
    value: "SIZE",
    help: "DuckDB memory limit, for example 512MB or 2GB (default 500MB generating, 1GB in the warehouse)",
  },
  {
    name: "--replace",
    value: "",
    help: "replace the data folder even if it holds another world (seed, scale or first day)",
  },
  { name: "--help", value: "", help: "print this help and exit" },
];

export function startHelp(): string {
  const width = Math.max(...START_FLAGS.map((f) => `${f.name} ${f.value}`.length));
  return [
    "Usage: npm start -- [options]",
    "",
    "Generates the synthetic shop, writes the lake (<out>/lake), loads the DuckDB warehouse",
    "(<out>/warehouse.duckdb), runs the data-quality checks and the marts, and prints a summary.",
    "No credentials needed. A run builds the new data beside the old and swaps it in only when",
    "every step passed; a folder holding another world is refused unless --replace is given.",
    "",
    "Exit codes: 0 done, 1 a step failed (the previous data is untouched), 2 a bad option,",
    "3 the folder holds another world.",
    "",
    "Options:",
    ...START_FLAGS.map((f) => `  ${`${f.name} ${f.value}`.trimEnd().padEnd(width)}  ${f.help}`),
  ].join("\n");
}

/**
 * Parses `npm start` arguments (`--flag value` or `--flag=value`). Any problem is a UsageError
 * naming the flag, raised before anything is generated or written.
 */
export function parseStartArgs(argv: readonly string[]): StartOptions {
  const given = new Map<string, string>();
  let help = false;
  let replace = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--replace") {
      replace = true;
      continue;
    }
    if (!arg.startsWith("--"))
      throw new UsageError(arg, "unexpected argument; options start with --");
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!START_FLAGS.some((f) => f.name === name && f.value !== "")) {
      throw new UsageError(name, "unknown option (see --help)");
    }
    if (given.has(name)) throw new UsageError(name, "given more than once");
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) {
      throw new UsageError(name, "needs a value");
    }
    given.set(name, value);
  }

  const defaults = DEFAULT_GENERATE_OPTIONS;
  const users = integerFlag("--users", given.get("--users"), defaults.users, MIN_USERS, MAX_USERS);
  const seed = integerFlag("--seed", given.get("--seed"), defaults.seed, 0, 2 ** 31 - 1);
  const start = dateFlag("--start", given.get("--start") ?? defaults.startDate);
  const end = dateFlag("--end", given.get("--end") ?? defaults.endDate);
  if (end < start) throw new UsageError("--end", `${end} is before the start date ${start}`);
  const memoryLimit = given.get("--memory-limit");
  if (
    memoryLimit !== undefined &&
    !/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)
  ) {
    throw new UsageError("--memory-limit", `"${memoryLimit}" is not a size such as 512MB or 2GB`);
  }
  const out = given.get("--out") ?? ".data";
  return {
    users,
    seed,
    start,
    end,
    out,
    ...(memoryLimit ? { memoryLimit } : {}),
    replace,
    help,
  };
}

function integerFlag(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = /^-?\d+$/.test(raw.replace(/_/g, "")) ? Number(raw.replace(/_/g, "")) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(flag, `"${raw}" is not an integer`);
  if (value < min || value > max) throw new UsageError(flag, `${value} is outside ${min}..${max}`);
  return value;
}

function dateFlag(flag: string, raw: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== raw) {
    throw new UsageError(flag, `"${raw}" is not a calendar date YYYY-MM-DD`);
  }
  return raw;
}
