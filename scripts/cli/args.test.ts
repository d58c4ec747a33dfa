import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ORDERS_DEFAULT_OUT, parseStartArgs, START_COMMAND, UsageError } from "./args";
import { helpText } from "./command";

function usageError(argv: string[]): UsageError {
  try {
    parseStartArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parseStartArgs(${argv.join(" ")}) did not fail`);
}

describe("parseStartArgs", () => {
  it("fills every default from the generator's reference world", () => {
    expect(parseStartArgs([])).toEqual({
      users: 30_000,
      seed: 42,
      start: "2024-01-01",
      end: "2025-12-31",
      out: ".data",
      replace: false,
      help: false,
    });
  });

  it("reads --flag value and --flag=value alike", () => {
    expect(
      parseStartArgs([
        "--users",
        "500",
        "--seed=9",
        "--start",
        "2024-03-01",
        "--end=2024-09-30",
        "--out",
        "x",
        "--memory-limit",
        "512MB",
      ]),
    ).toEqual({
      users: 500,
      seed: 9,
      start: "2024-03-01",
      end: "2024-09-30",
      out: "x",
      memoryLimit: "512MB",
      replace: false,
      help: false,
    });
  });

  it.each([
    [["--bogus", "1"], "--bogus", /unknown option/],
    [["--users", "abc"], "--users", /"abc" is not an integer/],
    [["--users", "2.5"], "--users", /not an integer/],
    [["--users", "99"], "--users", /99 is outside 100\.\.5000000/],
    [["--users"], "--users", /needs a value/],
    [["--users", "--seed", "1"], "--users", /needs a value/],
    [["--seed", "-1"], "--seed", /outside/],
    [["--start", "2024-02-30"], "--start", /not a calendar date/],
    [["--end", "31/12/2025"], "--end", /not a calendar date/],
    [["--start", "2024-06-01", "--end", "2024-05-31"], "--end", /before the start date 2024-06-01/],
    [["--memory-limit", "lots"], "--memory-limit", /not a size/],
    [["--users", "500", "--users", "600"], "--users", /more than once/],
    [["users=5"], "users=5", /unexpected argument/],
  ])("rejects %j naming %s", (argv, flag, message) => {
    const error = usageError(argv);
    expect(error.flag).toBe(flag);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${flag}: `)).toBe(true);
  });

  it("asks for help with --help or -h", () => {
    expect(parseStartArgs(["--help"]).help).toBe(true);
    expect(parseStartArgs(["-h"]).help).toBe(true);
  });
});

describe("the --out folder", () => {
  const file = join(mkdtempSync(join(tmpdir(), "args-")), "a-file");
  writeFileSync(file, "x");

  it("rejects a path that is a file, naming --out, before anything is written", () => {
    expect(usageError(["--out", file]).message).toBe(`--out: ${file} is a file, not a folder`);
  });

  it("rejects a folder under a file, naming the file", () => {
    expect(usageError(["--out", join(file, "sub")]).message).toMatch(/--out: .*a-file is a file/);
  });
});

describe("parseStartArgs with --orders", () => {
  const orders = join(
    __dirname,
    "..",
    "..",
    "functions",
    "src",
    "orders",
    "testing",
    "retail_lines.csv",
  );
  const mapping = join(dirname(orders), "retail_lines.mapping.json");

  it("reads the file and its mapping, into its own default folder", () => {
    const options = parseStartArgs(["--orders", orders, "--mapping", mapping]);
    expect(options.out).toBe(ORDERS_DEFAULT_OUT);
    expect(options.orders).toMatchObject({ file: orders, mappingFile: mapping });
    expect(options.orders!.mapping.fields.customer_id).toBe("Customer ID");
    expect(parseStartArgs(["--orders", orders, "--mapping", mapping, "--out", "x"]).out).toBe("x");
  });

  it.each([
    [["--orders", orders], "--orders", /needs --mapping FILE/],
    [["--mapping", mapping], "--mapping", /goes with --orders FILE/],
    [["--orders", orders, "--mapping", mapping, "--seed", "7"], "--seed", /own days/],
    [["--orders", orders, "--mapping", orders], "--mapping", /./],
  ])("refuses %j naming %s", (argv, flag, message) => {
    const error = usageError(argv);
    expect(error.flag).toBe(flag);
    expect(error.message).toMatch(message);
  });
});

describe("npm start --help", () => {
  it("documents every flag the parser accepts", () => {
    const help = helpText(START_COMMAND);
    const flags = [
      "--end",
      "--help",
      "--mapping",
      "--memory-limit",
      "--orders",
      "--out",
      "--replace",
      "--seed",
      "--start",
      "--users",
    ];
    for (const flag of flags) expect(help).toContain(flag);
    expect([...Object.keys(START_COMMAND.options), "help"].map((f) => `--${f}`).sort()).toEqual(
      flags.sort(),
    );
  });
});
