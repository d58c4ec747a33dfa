import {
  CommandError,
  EXIT,
  helpText,
  parseCommandLine,
  runCommand,
  UsageError,
  type CommandSpec,
} from "./command";
import { runFreshNode } from "./testing/freshNode";

const SPEC: CommandSpec = {
  command: "npm run demo",
  summary: "Does a demo.",
  options: {
    out: { type: "string", value: "DIR", help: "where" },
    param: { type: "string", value: "K=V", help: "a parameter", multiple: true },
    verbose: { type: "boolean", help: "say more" },
  },
  positional: { name: "SQL", help: "the query" },
  exitCodes: { 1: "the demo failed" },
  examples: ["npm run demo -- --out x"],
};

function recorder() {
  const io = { out: "", err: "" };
  return {
    io,
    streams: {
      stdout: { write: (t: string) => (io.out += t) },
      stderr: { write: (t: string) => (io.err += t) },
    },
  };
}

describe("parseCommandLine", () => {
  it("reads --flag value, --flag=value, switches, lists and one positional", () => {
    const args = parseCommandLine(SPEC, [
      "--out",
      "a",
      "--param=x=1",
      "--param",
      "y=2",
      "--verbose",
      "select 1",
    ]);
    expect(args.values).toEqual({ out: "a", param: ["x=1", "y=2"], verbose: true });
    expect(args.positionals).toEqual(["select 1"]);
    expect(args.help).toBe(false);
  });

  it("takes a value that starts with one dash, and any value after =", () => {
    expect(parseCommandLine(SPEC, ["--out", "-1"]).values.out).toBe("-1");
    expect(parseCommandLine(SPEC, ["--out=--x"]).values.out).toBe("--x");
  });

  it.each([
    [["--bogus"], "--bogus: unknown option (see npm run demo -- --help)"],
    [["-x"], "-x: unknown option (see npm run demo -- --help)"],
    [["--out"], "--out: needs a value"],
    [["--out", "--verbose"], "--out: needs a value"],
    [["--out="], "--out: needs a value"],
    [["--out", "a", "--out", "b"], "--out: given more than once"],
    [["--verbose=yes"], "--verbose: takes no value"],
    [["a", "b"], "b: unexpected argument: npm run demo takes at most 1 SQL"],
  ])("rejects %j with one message naming the flag", (argv, message) => {
    const error = (() => {
      try {
        parseCommandLine(SPEC, argv);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
  });

  it("rejects any positional when the command takes none", () => {
    const bare: CommandSpec = { command: "npm run x", summary: "x", options: {} };
    expect(() => parseCommandLine(bare, ["oops"])).toThrow(
      "oops: unexpected argument; options start with --",
    );
  });

  it("knows --help and -h on every command", () => {
    expect(parseCommandLine(SPEC, ["-h"]).help).toBe(true);
    expect(parseCommandLine({ ...SPEC, options: {} }, ["--help"]).help).toBe(true);
  });
});

describe("helpText", () => {
  it("lists the usage, every option with its placeholder, the exit codes and examples", () => {
    const help = helpText(SPEC);
    expect(help.split("\n")[0]).toBe("Usage: npm run demo -- [options] [SQL]");
    expect(help).toMatch(/^ {2}--out DIR +where$/m);
    expect(help).toMatch(/^ {2}--param K=V +a parameter$/m);
    expect(help).toMatch(/^ {2}--verbose +say more$/m);
    expect(help).toMatch(/^ {2}-h, --help +print this help and exit$/m);
    expect(help).toMatch(/^ {2}0 {2}done$/m);
    expect(help).toMatch(/^ {2}1 {2}the demo failed$/m);
    expect(help).toMatch(/^ {2}2 {2}bad command line/m);
    expect(help).toMatch(/^ {2}npm run demo -- --out x$/m);
  });
});

describe("runCommand", () => {
  it("prints the help on stdout and exits 0 without running the command", async () => {
    const { io, streams } = recorder();
    const main = jest.fn();
    expect(await runCommand(SPEC, ["--help"], main, streams)).toBe(EXIT.ok);
    expect(main).not.toHaveBeenCalled();
    expect(io.out).toBe(`${helpText(SPEC)}\n`);
  });

  it("turns a usage error into one line on stderr and exit code 2", async () => {
    const { io, streams } = recorder();
    const main = jest.fn();
    expect(await runCommand(SPEC, ["--nope"], main, streams)).toBe(EXIT.usage);
    expect(main).not.toHaveBeenCalled();
    expect(io.err).toBe("npm run demo: --nope: unknown option (see npm run demo -- --help)\n");
  });

  it("prints a command error as one line, without a stack, with its exit code", async () => {
    const { io, streams } = recorder();
    const code = await runCommand(
      SPEC,
      [],
      async () => {
        throw new CommandError("no warehouse at x:\n  run npm start first", 1);
      },
      streams,
    );
    expect(code).toBe(1);
    expect(io.err).toBe("npm run demo: no warehouse at x: run npm start first\n");
  });

  it("lets an unexpected error through, so a bug keeps its stack", async () => {
    const { streams } = recorder();
    const bug = new TypeError("undefined is not a function");
    await expect(
      runCommand(
        SPEC,
        [],
        async () => {
          throw bug;
        },
        streams,
      ),
    ).rejects.toBe(bug);
  });
});

describe("runMain", () => {
  /**
   * Runs a script using `runMain` in a fresh Node process (the entry point's exit is the
   * process's own). One the timer keeps alive is killed after 20 s, and has no exit status.
   */
  const runScript = (body: string) =>
    runFreshNode(
      `const { runMain } = require(${JSON.stringify(require.resolve("./command"))});\n${body}`,
      {},
      20_000,
    );

  it("with exitWhenDone, ends the process with the command's code once all its output is out, though a timer still runs", () => {
    const result = runScript(`
      runMain({ command: "demo", summary: "", options: {} }, async () => {
        setInterval(() => undefined, 1000); // would keep the process alive for ever
        for (let i = 0; i < 2000; i++) process.stdout.write("x".repeat(999) + "\\n");
        process.stderr.write("done\\n");
        return 3;
      }, { exitWhenDone: true });`);
    expect(result.status).toBe(3);
    expect(result.stdout).toBe(("x".repeat(999) + "\n").repeat(2000));
    expect(result.stderr).toBe("done\n");
  });

  it("with exitWhenDone, ends with exit 1 after printing a failure's stack", () => {
    const result = runScript(`
      runMain({ command: "demo", summary: "", options: {} }, async () => {
        setInterval(() => undefined, 1000);
        throw new Error("a bug");
      }, { exitWhenDone: true });`);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("demo failed: Error: a bug");
  });

  it("without it, sets the code and lets Node end when nothing is left to run", () => {
    const result = runScript(`
      runMain({ command: "demo", summary: "", options: {} }, async () => {
        setTimeout(() => process.stdout.write("timer ran\\n"), 50);
        return 4;
      });`);
    expect(result.status).toBe(4);
    expect(result.stdout).toBe("timer ran\n");
  });
});
