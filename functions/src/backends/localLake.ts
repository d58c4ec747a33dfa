import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import {
  copyFile,
  mkdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { Lake, LakeObject } from "./types";

/** Marks a file being written; `list` never reports one, so a reader never sees half a file. */
const TEMP_MARK = ".tmp-";

/**
 * The lake as a folder (default `.data/lake`), laid out exactly like the bucket so the same
 * writer and loader run on both. Objects appear whole or not at all: `putFile` copies to a
 * temporary name in the destination folder and renames it into place, which is atomic on one
 * filesystem.
 */
export class LocalLake implements Lake {
  readonly kind = "local" as const;
  /** Absolute path of the lake folder. */
  readonly root: string;

  constructor(root = ".data/lake") {
    this.root = resolve(root);
  }

  uri(path: string): string {
    return join(this.root, ...checkedPath(path).split("/"));
  }

  async putFile(path: string, localFile: string): Promise<LakeObject> {
    const target = this.uri(path);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `${TEMP_MARK}${randomBytes(6).toString("hex")}`);
    try {
      await copyFile(localFile, temp);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { path: checkedPath(path), bytes: (await stat(target)).size };
  }

  async readText(path: string): Promise<string | null> {
    try {
      return await readFile(this.uri(path), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async getFile(path: string, localFile: string): Promise<boolean> {
    try {
      await copyFile(this.uri(path), localFile);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  async putText(path: string, text: string): Promise<void> {
    const target = this.uri(path);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `${TEMP_MARK}${randomBytes(6).toString("hex")}`);
    try {
      await writeFile(temp, text);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async list(prefix: string): Promise<LakeObject[]> {
    const objects: LakeObject[] = [];
    // Walk only the folder the prefix points into; a prefix may end in the middle of a name.
    const slash = prefix.lastIndexOf("/");
    const folder = slash < 0 ? "" : prefix.slice(0, slash);
    this.walk(folder, objects);
    return objects.filter((o) => o.path.startsWith(prefix)).sort(byPath);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const objects = await this.list(prefix);
    for (const o of objects) await this.deleteObject(o.path);
    const folders = new Set(objects.map((o) => dirname(this.uri(o.path))));
    for (const folder of [...folders].sort().reverse()) await removeEmptyFolders(folder, this.root);
    return objects.length;
  }

  /** Deletes one listed object's file (a subclass that keeps its own listing forgets it too). */
  protected async deleteObject(path: string): Promise<void> {
    await unlink(this.uri(path));
  }

  /**
   * Synchronous on purpose: a two-year table is hundreds of day folders, and each async readdir
   * or stat is a round trip through libuv's small thread pool, which DuckDB's queries share. Two
   * years of files (3,658) list in 40-60 ms this way, against 230 ms warm and 1.4 s cold with
   * concurrent promises.
   */
  private walk(folder: string, into: LakeObject[]): void {
    const absolute = folder === "" ? this.root : this.uri(folder);
    let entries;
    try {
      entries = readdirSync(absolute, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_MARK)) continue;
      const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) this.walk(path, into);
      else if (entry.isFile())
        into.push({ path, bytes: statSync(join(absolute, entry.name)).size });
    }
  }
}

/** Orders objects by path, as a bucket lists them (code-unit order, not the locale's). */
export function byPath(a: LakeObject, b: LakeObject): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Rejects paths that would escape the lake or that no bucket could hold. */
function checkedPath(path: string): string {
  const parts = path.split("/");
  if (
    path === "" ||
    path.startsWith("/") ||
    parts.some((p) => p === "" || p === "." || p === "..")
  ) {
    throw new Error(`Invalid lake path "${path}": expected a relative a/b/c path without . or ..`);
  }
  if (path.includes(sep) && sep !== "/") throw new Error(`Lake path "${path}" must use "/"`);
  return path;
}

/** Removes now-empty folders from `folder` up to (not including) the lake root. */
async function removeEmptyFolders(folder: string, root: string): Promise<void> {
  let current = folder;
  while (current.startsWith(root + sep)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty, or already gone
    }
    current = dirname(current);
  }
}
