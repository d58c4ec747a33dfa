import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recoverSwap, removeOldData, stagingFolder, swapIn } from "./dataFolder";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "data-folder-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Waits up to 10 s for `done`, checking every 20 ms. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
}

/** A data folder whose three entries say which run wrote them. */
async function fill(folder: string, run: string): Promise<void> {
  await mkdir(join(folder, "lake"), { recursive: true });
  await writeFile(join(folder, "lake", "manifest.json"), run);
  await writeFile(join(folder, "warehouse.duckdb"), run);
  await writeFile(join(folder, "report.html"), run);
}
async function writtenBy(folder: string): Promise<string[]> {
  return Promise.all([
    readFile(join(folder, "lake", "manifest.json"), "utf8"),
    readFile(join(folder, "warehouse.duckdb"), "utf8"),
    readFile(join(folder, "report.html"), "utf8"),
  ]);
}
/** A data folder's entries once a swap's deletion is done: its data and the previous lake. */
const SWAPPED = [".previous-lake", "lake", "report.html", "warehouse.duckdb"];

/** Which run wrote the lake kept for the next run to write over. */
function previousLakeBy(folder: string): Promise<string> {
  return readFile(join(folder, ".previous-lake", "manifest.json"), "utf8");
}

describe("swapIn", () => {
  it("replaces every entry with the staged one, keeps the old lake to reuse and deletes the rest", async () => {
    await fill(dir, "old");
    const staging = await stagingFolder(dir, "run-1");
    await fill(staging, "new");
    const { oldRemoved } = await swapIn(dir, staging);
    expect(await writtenBy(dir)).toEqual(["new", "new", "new"]);
    // The old entries wait, out of the way, for a process of their own to delete them: the swap
    // returns long before a new Node process has started, let alone deleted anything.
    expect(readdirSync(dir).sort()).toEqual([
      ".previous-lake",
      ".staging-run-1.old",
      "lake",
      "report.html",
      "warehouse.duckdb",
    ]);
    expect(readdirSync(join(dir, ".staging-run-1.old")).sort()).toEqual([
      "report.html",
      "warehouse.duckdb",
    ]);
    await oldRemoved;
    expect(readdirSync(dir).sort()).toEqual(SWAPPED);
    expect(await previousLakeBy(dir)).toBe("old");
  });

  it("keeps one previous lake: a lake replaced while one is kept is deleted with the rest", async () => {
    await fill(dir, "run-1");
    await mkdir(join(dir, ".previous-lake"));
    await writeFile(join(dir, ".previous-lake", "manifest.json"), "run-0");
    const staging = await stagingFolder(dir, "run-2");
    await fill(staging, "run-2");
    const { oldRemoved } = await swapIn(dir, staging);
    expect(readdirSync(join(dir, ".staging-run-2.old")).sort()).toEqual([
      "lake",
      "report.html",
      "warehouse.duckdb",
    ]);
    await oldRemoved;
    expect(await writtenBy(dir)).toEqual(["run-2", "run-2", "run-2"]);
    expect(await previousLakeBy(dir)).toBe("run-0");
  });

  it("deletes the old entries in a process that outlives the command", async () => {
    await fill(dir, "old");
    const staging = await stagingFolder(dir, "run-1");
    await fill(staging, "new");
    // A command that swaps and exits at once: the deletion goes on without it.
    const swap = spawnSync(
      process.execPath,
      [
        "--require",
        "tsx/cjs",
        "-e",
        `require(${JSON.stringify(join(__dirname, "dataFolder.ts"))}).swapIn(process.argv[1], process.argv[2]).then(() => process.exit(0))`,
        dir,
        staging,
      ],
      { encoding: "utf8" },
    );
    expect(swap.status).toBe(0);
    expect(await writtenBy(dir)).toEqual(["new", "new", "new"]);
    await until(() => readdirSync(dir).length === 4);
    expect(readdirSync(dir).sort()).toEqual(SWAPPED);
  });

  it("finishes, at a later run, a deletion that was cut short", async () => {
    await fill(dir, "new");
    await fill(join(dir, ".staging-run-0.old"), "old");
    await mkdir(join(dir, ".staging-run-1")); // a run's own staging folder is not old data
    await removeOldData(dir);
    expect(readdirSync(dir).sort()).toEqual([
      ".staging-run-1",
      "lake",
      "report.html",
      "warehouse.duckdb",
    ]);
    expect(await writtenBy(dir)).toEqual(["new", "new", "new"]);
  });

  it("fills a fresh folder", async () => {
    const staging = await stagingFolder(dir, "run-1");
    await fill(staging, "new");
    await swapIn(dir, staging);
    expect(await writtenBy(dir)).toEqual(["new", "new", "new"]);
  });
});

describe("recoverSwap", () => {
  it("completes a swap a crash cut after its first entry", async () => {
    await fill(dir, "old");
    const staging = await stagingFolder(dir, "run-2");
    await fill(staging, "new");
    // What swapIn had done when the process died: the journal, then the lake moved in.
    await writeFile(join(dir, ".swap.json"), JSON.stringify({ staging, old: `${staging}.old` }));
    await mkdir(`${staging}.old`);
    await rename(join(dir, "lake"), join(dir, ".previous-lake"));
    await rename(join(staging, "lake"), join(dir, "lake"));
    expect(await recoverSwap(dir)).toBe(true);
    expect(await writtenBy(dir)).toEqual(["new", "new", "new"]);
    await until(() => readdirSync(dir).length === 4);
    expect(readdirSync(dir).sort()).toEqual(SWAPPED);
    expect(await previousLakeBy(dir)).toBe("old");
    expect(existsSync(staging)).toBe(false);
  });

  it("does nothing when no swap was under way", async () => {
    await fill(dir, "old");
    expect(await recoverSwap(dir)).toBe(false);
    expect(await writtenBy(dir)).toEqual(["old", "old", "old"]);
  });
});
