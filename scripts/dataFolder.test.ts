import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recoverSwap, stagingFolder, swapIn } from "./dataFolder";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "data-folder-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

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

describe("swapIn", () => {
  it("replaces every entry with the staged one and leaves nothing else behind", async () => {
    await fill(dir, "old");
    const staging = await stagingFolder(dir, "run-1");
    await fill(staging, "new");
    await swapIn(dir, staging);
    expect(await writtenBy(dir)).toEqual(["new", "new", "new"]);
    expect(readdirSync(dir).sort()).toEqual(["lake", "report.html", "warehouse.duckdb"]);
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
    await rename(join(dir, "lake"), join(`${staging}.old`, "lake"));
    await rename(join(staging, "lake"), join(dir, "lake"));
    expect(await recoverSwap(dir)).toBe(true);
    expect(await writtenBy(dir)).toEqual(["new", "new", "new"]);
    expect(readdirSync(dir).sort()).toEqual(["lake", "report.html", "warehouse.duckdb"]);
    expect(existsSync(staging)).toBe(false);
  });

  it("does nothing when no swap was under way", async () => {
    await fill(dir, "old");
    expect(await recoverSwap(dir)).toBe(false);
    expect(await writtenBy(dir)).toEqual(["old", "old", "old"]);
  });
});
