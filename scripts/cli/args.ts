import { DEFAULT_WAREHOUSE_MEMORY_LIMIT } from "../../functions/src/backends/duckdbWarehouse";
import { DEFAULT_GENERATE_OPTIONS } from "../../functions/src/generator";
import type { OrdersMapping } from "../../functions/src/orders/mapping";
import { DEFAULT_GENERATION_MEMORY_LIMIT } from "../../functions/src/pipeline/generateAndLoad";
import {
  dateValue,
  existingFileValue,
  folderValue,
  integerValue,
  parseCommandLine,
  sizeValue,
  stringValue,
  UsageError,
  type CommandSpec,
  type ParsedArgs,
} from "./command";

export { UsageError } from "./command";

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
   * uses its own default (`DEFAULT_GENERATION_MEMORY_LIMIT`, `DEFAULT_WAREHOUSE_MEMORY_LIMIT`).
   */
  readonly memoryLimit?: string;
  /** Replace the data folder even when it holds another world. */
  readonly replace: boolean;
  /**
   * Load this orders file through its mapping instead of generating the shop
   * (docs/orders-loader.md); the days are the file's own.
   */
  readonly orders?: {
    readonly file: string;
    readonly mappingFile: string;
    readonly mapping: OrdersMapping;
  };
  readonly help: boolean;
}

/** Where an orders file's data goes by default: its own folder, never the synthetic shop's. */
export const ORDERS_DEFAULT_OUT = ".data-orders";

/** The flags that describe the generated shop, which an orders file replaces. */
const SHOP_FLAGS = ["users", "seed", "start", "end"] as const;

export const MIN_USERS = 100;
export const MAX_USERS = 5_000_000;

const defaults = DEFAULT_GENERATE_OPTIONS;

/** `npm start`'s flags; `--help` is generated from this. */
export const START_COMMAND: CommandSpec = {
  command: "npm start",
  summary: [
    "Generates the synthetic shop, writes the lake (<out>/lake), loads the DuckDB warehouse",
    "(<out>/warehouse.duckdb), runs the data-quality checks and the marts, writes the report",
    "(<out>/report.html) and prints a summary. No credentials needed. A run builds the new data",
    "beside the old and swaps it in only when every step passed; a folder holding another world",
    "is refused unless --replace is given.",
    "",
    "With --orders FILE --mapping FILE it loads your own orders instead (docs/orders-loader.md),",
    `into ${ORDERS_DEFAULT_OUT} unless --out says otherwise: what was kept and dropped is printed,`,
    "checks and marts that need sessions or other tables the file lacks say 'not in this source',",
    "and the report shows the order-based marts, RFM segments and predicted CLV.",
  ].join("\n"),
  options: {
    users: {
      type: "string",
      value: "N",
      help: `scale: users who sign up over the first two years, ${MIN_USERS}..${MAX_USERS} (default ${defaults.users})`,
    },
    seed: {
      type: "string",
      value: "N",
      help: `random seed, 0..2147483647 (default ${defaults.seed})`,
    },
    start: {
      type: "string",
      value: "YYYY-MM-DD",
      help: `first day of the shop (default ${defaults.startDate})`,
    },
    end: {
      type: "string",
      value: "YYYY-MM-DD",
      help: `last day of data: how far the open-ended world is generated (default ${defaults.endDate})`,
    },
    out: {
      type: "string",
      value: "DIR",
      help: "data folder for lake/, warehouse.duckdb and report.html (default .data)",
    },
    "memory-limit": {
      type: "string",
      value: "SIZE",
      help: `DuckDB memory limit, for example 512MB or 2GB (default ${DEFAULT_GENERATION_MEMORY_LIMIT} generating, ${DEFAULT_WAREHOUSE_MEMORY_LIMIT} in the warehouse)`,
    },
    replace: {
      type: "boolean",
      help: "replace the data folder even if it holds another world (seed, scale or first day)",
    },
    orders: {
      type: "string",
      value: "FILE",
      help: "load this orders file (delimited text or Parquet) instead of generating the shop",
    },
    mapping: {
      type: "string",
      value: "FILE",
      help: "the JSON column mapping of the --orders file (for example mappings/cdnow.json)",
    },
  },
  exitCodes: {
    1: "a data-quality check failed (named, with sample rows), the orders file holds bad input (file, row and column named) or a step failed; the previous data is untouched",
    3: "the data folder holds another world (use --replace, or another --out)",
  },
  examples: [
    "npm start -- --users 2000 --out /tmp/shop",
    "npm start -- --end 2025-06-30",
    "npm start -- --orders ../shared/data/cdnow/CDNOW_sample.txt --mapping mappings/cdnow.json",
  ],
};

/**
 * Parses `npm start` arguments. Any problem is a UsageError naming the flag, raised before
 * anything is generated or written.
 */
export function parseStartArgs(argv: readonly string[]): StartOptions {
  return startOptions(parseCommandLine(START_COMMAND, argv));
}

/** The options of an already parsed `npm start` command line, checked. */
export function startOptions(args: ParsedArgs): StartOptions {
  const raw = (name: string) => stringValue(args, name);
  const orders = ordersOptions(raw("orders"), raw("mapping"));
  if (orders) {
    const shopFlag = SHOP_FLAGS.find((f) => raw(f) !== undefined);
    if (shopFlag)
      throw new UsageError(
        `--${shopFlag}`,
        "describes the generated shop; an --orders file has its own days",
      );
  }
  const users = optional(raw("users"), (v) => integerValue("--users", v, MIN_USERS, MAX_USERS));
  const seed = optional(raw("seed"), (v) => integerValue("--seed", v, 0, 2 ** 31 - 1));
  const start = dateValue("--start", raw("start") ?? defaults.startDate);
  const end = dateValue("--end", raw("end") ?? defaults.endDate);
  if (end < start) throw new UsageError("--end", `${end} is before the start date ${start}`);
  const memoryLimit = optional(raw("memory-limit"), (v) => sizeValue("--memory-limit", v));
  const out = folderValue("--out", raw("out") ?? (orders ? ORDERS_DEFAULT_OUT : ".data"));
  return {
    users: users ?? defaults.users,
    seed: seed ?? defaults.seed,
    start,
    end,
    out,
    ...(memoryLimit ? { memoryLimit } : {}),
    replace: args.values.replace === true,
    ...(orders ? { orders } : {}),
    help: args.help,
  };
}

/** `--orders` with its `--mapping`, both files, the mapping valid; neither without the other. */
function ordersOptions(
  file: string | undefined,
  mappingFile: string | undefined,
): StartOptions["orders"] | undefined {
  if (file === undefined && mappingFile === undefined) return undefined;
  if (file === undefined) throw new UsageError("--mapping", "goes with --orders FILE");
  if (mappingFile === undefined)
    throw new UsageError(
      "--orders",
      "needs --mapping FILE, the file's column mapping (docs/orders-loader.md)",
    );
  existingFileValue("--orders", file);
  existingFileValue("--mapping", mappingFile);
  try {
    return { file, mappingFile, mapping: ordersMapping().readMappingFile(mappingFile) };
  } catch (error) {
    if (error instanceof ordersMapping().MappingError)
      throw new UsageError("--mapping", error.message);
    throw error;
  }
}

function optional<T>(raw: string | undefined, parse: (value: string) => T): T | undefined {
  return raw === undefined ? undefined : parse(raw);
}

/**
 * The orders mapping's reader, required when `--orders` is given: its schema is zod's, which
 * `npm start`'s default path does not otherwise load, and loading it held the main thread before
 * the generator's first statement for about 0.2 s.
 */
function ordersMapping(): typeof import("../../functions/src/orders/mapping") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- required late on purpose, see above
  return require("../../functions/src/orders/mapping") as typeof import("../../functions/src/orders/mapping");
}
