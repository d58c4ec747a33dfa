import { runNode } from "./runNode";

describe("runNode", () => {
  it("resolves with what the process wrote to stderr when it exits 0", async () => {
    await expect(
      runNode(["-e", "process.stdout.write('dropped'); process.stderr.write('a warning')"], "x"),
    ).resolves.toBe("a warning");
  });

  it("rejects naming the command, its exit code and its first line of stderr", async () => {
    await expect(
      runNode(["-e", "console.error('first line\\nsecond line'); process.exit(3)"], "the step"),
    ).rejects.toThrow(/^the step exited 3: first line$/);
  });

  it("runs the process with the environment it is given", async () => {
    const env = { ...process.env, RUN_NODE_PROBE: "given" };
    await expect(
      runNode(["-e", "process.stderr.write(process.env.RUN_NODE_PROBE)"], "x", env),
    ).resolves.toBe("given");
  });
});
