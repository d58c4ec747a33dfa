/**
 * The local data folder `npm start` owns (`.data` by default): `lake/`, `warehouse.duckdb` and
 * `report.html`, and hidden, the lake the last swap replaced (`.previous-lake`). A run builds a
 * complete new folder beside the old one and swaps it in only when every step has passed, so a
 * failure at any point leaves the previous complete state readable (SPEC: "a failed run leaves
 * the previous complete state readable").
 */
import { existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { PIPELINE_RUNS } from "../functions/src/contract";
import {
  LAKE_MANIFEST_PATH,
  manifestFromJson,
  type WorldManifest,
} from "../functions/src/world/manifest";
import type { RunRecord } from "../functions/src/world/runRecord";

/** What a data folder holds, swapped as one. */
export const FOLDER_ENTRIES = ["lake", "warehouse.duckdb", "report.html"] as const;

const JOURNAL = ".swap.json";

export function warehousePath(folder: string): string {
  return join(folder, "warehouse.duckdb");
}

export function lakePath(folder: string): string {
  return join(folder, "lake");
}

/**
 * The lake the last swap replaced (or a failed run's, `keepLakeForReuse`), kept hidden in the
 * data folder for the next run to write over (`StagingLake`) instead of deleted. Never read as
 * data; deleting it costs only the reuse.
 */
export function previousLakePath(folder: string): string {
  return join(folder, ".previous-lake");
}

/**
 * Keeps the lake of `holder` (the data folder's replaced one at a swap, or a failed run's staging
 * folder about to be deleted) as the previous lake of `folder` when there is none: deleting its
 * thousands of files would only make the next run create as many (see `StagingLake`), which
 * writes over whatever such a lake holds. Best effort: a lake it cannot move stays where it is.
 */
export async function keepLakeForReuse(holder: string, folder: string): Promise<void> {
  if (!existsSync(lakePath(holder)) || existsSync(previousLakePath(folder))) return;
  await rename(lakePath(holder), previousLakePath(folder)).catch(() => undefined);
}

/**
 * The world the folder holds, from the warehouse's manifest (read-only) or else the lake's; null
 * for an empty folder. A folder with data but no manifest (written before manifests existed) is
 * reported as `unknown`.
 */
export async function folderWorld(folder: string): Promise<WorldManifest | "unknown" | null> {
  const file = warehousePath(folder);
  if (existsSync(file)) {
    const warehouse = await DuckDbWarehouse.open({ path: file, readOnly: true });
    try {
      const manifest = await warehouse.readManifest();
      if (manifest) return manifest;
    } finally {
      await warehouse.close();
    }
  }
  const lakeManifest = join(lakePath(folder), LAKE_MANIFEST_PATH);
  if (existsSync(lakeManifest))
    return manifestFromJson(await readFile(lakeManifest, "utf8"), lakeManifest);
  return existsSync(file) || existsSync(lakePath(folder)) ? "unknown" : null;
}

/** A fresh staging folder for one run, inside the data folder (so the swap is a rename). */
export async function stagingFolder(folder: string, runId: string): Promise<string> {
  const staging = join(folder, `.staging-${runId}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return staging;
}

/**
 * Moves the staged entries into the data folder, replacing the old ones. A journal is written
 * first, so a crash half way is completed by the next run (`recoverSwap`): the staging folder is
 * complete before the swap starts, so rolling forward is always right. The replaced lake becomes
 * the previous lake (`previousLakePath`) unless one is there already, which the next run writes
 * over; the other replaced entries are deleted without waiting (`removeInBackground`):
 * `oldRemoved` settles when they are gone, which the commands do not wait for.
 */
export async function swapIn(
  folder: string,
  staging: string,
): Promise<{ readonly oldRemoved: Promise<void> }> {
  const old = `${staging}.old`;
  await writeFile(join(folder, JOURNAL), JSON.stringify({ staging, old }));
  return finishSwap(folder, staging, old);
}

/** Completes a swap a crash interrupted, if any. */
export async function recoverSwap(folder: string): Promise<boolean> {
  const journal = join(folder, JOURNAL);
  if (!existsSync(journal)) return false;
  const { staging, old } = JSON.parse(await readFile(journal, "utf8")) as {
    staging: string;
    old: string;
  };
  await finishSwap(folder, staging, old);
  return true;
}

async function finishSwap(
  folder: string,
  staging: string,
  old: string,
): Promise<{ readonly oldRemoved: Promise<void> }> {
  await mkdir(old, { recursive: true });
  for (const entry of FOLDER_ENTRIES) {
    const current = join(folder, entry);
    const next = join(staging, entry);
    if (!existsSync(next)) continue; // already moved in by an interrupted swap
    if (entry === "lake") await keepLakeForReuse(folder, folder);
    if (existsSync(current)) await rename(current, join(old, entry));
    await rename(next, current);
  }
  await rm(join(folder, JOURNAL), { force: true });
  await rm(staging, { recursive: true, force: true });
  if ((await readdir(old)).length === 0) {
    await rm(old, { recursive: true, force: true });
    return { oldRemoved: Promise.resolve() };
  }
  return { oldRemoved: removeInBackground(old) };
}

/** Old data being deleted: a swapped-out folder's name (`<staging>.old`), inside the data folder. */
const OLD_DATA = /^\.staging-.+\.old$/;

/**
 * Deletes a folder of replaced data in a process of its own, which goes on after this one exits.
 * Deleting a replaced lake of the reference run (4,390 files, when a previous lake is kept
 * already) took 1.2-1.4 s of wall time but 0.3 s of CPU on the 2-core machine the README's
 * figures come from (the rest went to the disk). The folder is hidden in the data folder and
 * never read; a deletion cut short (the machine stopped) is finished by a later run
 * (`removeOldData`). Resolves when the folder is gone, if this process lives that long.
 */
export function removeInBackground(path: string): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["-e", "require('node:fs').rmSync(process.argv[1], { recursive: true, force: true })", path],
      { detached: true, stdio: "ignore" },
    );
    child.on("error", () => rm(path, { recursive: true, force: true }).finally(resolve));
    child.on("exit", () => resolve());
    child.unref();
  });
}

/** Deletes (in the background) the old data an earlier run's deletion left in `folder`. */
export async function removeOldData(folder: string): Promise<void> {
  if (!existsSync(folder)) return;
  await Promise.all(
    (await readdir(folder))
      .filter((name) => OLD_DATA.test(name))
      .map((name) => removeInBackground(join(folder, name))),
  );
}

/**
 * Copies the run record of the folder's current warehouse into a new one, so the history of runs
 * survives a rebuild.
 */
export async function carryRunHistory(folder: string, into: DuckDbWarehouse): Promise<number> {
  const file = warehousePath(folder);
  if (!existsSync(file)) return 0;
  const table = `${PIPELINE_RUNS.dataset}.${PIPELINE_RUNS.name}`;
  const escaped = file.replace(/'/g, "''");
  await into.connection.run(`attach '${escaped}' as previous (read_only)`);
  try {
    const exists = await into.connection.runAndReadAll(
      `select count(*) from information_schema.tables where table_catalog = 'previous' and table_schema = '${PIPELINE_RUNS.dataset}' and table_name = '${PIPELINE_RUNS.name}'`,
    );
    if (Number(exists.getRows()[0]?.[0] ?? 0) === 0) return 0;
    const inserted = await into.connection.run(
      `insert into ${table} by name select * from previous.${table}`,
    );
    return inserted.rowsChanged;
  } finally {
    await into.connection.run("detach previous");
  }
}

/** Records a failed run in the folder's current warehouse, if it has one; never throws. */
export async function recordFailureInFolder(folder: string, record: RunRecord): Promise<void> {
  const file = warehousePath(folder);
  if (!existsSync(file)) return;
  try {
    const warehouse = await DuckDbWarehouse.open({ path: file });
    try {
      await warehouse.recordRun(record);
    } finally {
      await warehouse.close();
    }
  } catch {
    // The folder's warehouse is busy or damaged: the failure is still reported on stderr.
  }
}
