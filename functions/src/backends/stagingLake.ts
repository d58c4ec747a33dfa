import { existsSync, lstatSync, readdirSync } from "node:fs";
import { copyFile, mkdir, rename, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { byPath, LocalLake } from "./localLake";
import type { LakeObject } from "./types";

/**
 * The lake a bulk run builds in its staging folder, written over the files of the lake it
 * replaces instead of into new ones.
 *
 * Why: a run writes 4,390 files in 3,658 day folders, and the swap used to delete as many. On the
 * ext4 disk of the machine the README's figures come from, creating a file in a folder where many
 * were just deleted is slow, because the inode allocator checks each recently freed inode before
 * passing it by (`recently_deleted` in a profile). Copying the lake's files from RAM into new
 * files took 1.7-2.3 s of CPU, and 2.9-3.6 s right after a lake of as many files was deleted;
 * over the existing files of the same paths, 0.5-0.8 s (three runs each). An existing file
 * opened for writing keeps its inode and folder: nothing is allocated, and nothing is deleted.
 *
 * What a reader of this object sees is exactly what a new, empty lake would show: only objects
 * put since it was opened. The earlier lake's files stay hidden until a put replaces them, and
 * `removeUnwritten` deletes those never put, so the folder then holds exactly the run's lake.
 *
 * Only for a lake that no other process reads before it is swapped in: a first put writes the
 * earlier file in place, so a reader outside this object could see half a file. A put to a path
 * this object already holds goes through `LocalLake`'s temporary file and rename, so an object
 * once shown is only ever replaced whole.
 */
export class StagingLake extends LocalLake {
  /**
   * Paths put since the lake was opened, with their sizes: the only objects it shows, and what
   * `list` reports without reading the folder. Walking the folder read every day folder of the
   * earlier lake, hidden or not: the run's first listing, before any put, walked its 3,658
   * folders on the main thread before the generator could start. `deletePrefix` (inherited)
   * deletes only these, as it deletes what `list` reports, and forgets each it deletes.
   */
  private readonly shown = new Map<string, number>();
  /** Paths whose first put is under way. */
  private readonly writing = new Set<string>();
  /** Puts under way, first or not: `removeUnwritten` refuses to start beside one. */
  private putsUnderWay = 0;
  /** Whether `removeUnwritten` runs: puts are refused meanwhile. */
  private sweeping = false;

  private constructor(root: string) {
    super(root);
  }

  /**
   * Opens a new lake at `root` (which must not exist yet), moving the folder `previous` there to
   * be written over when it is one (not a file or a link). Reuse only saves work: if the move
   * fails, the lake starts empty and `previous` stays where it was.
   */
  static async open(root: string, previous?: string): Promise<StagingLake> {
    if (existsSync(root)) throw new Error(`A staging lake starts new, but ${root} exists`);
    if (previous !== undefined && isFolder(previous)) {
      await mkdir(dirname(root), { recursive: true });
      await rename(previous, root).catch(() => undefined);
    }
    return new StagingLake(root);
  }

  override putFile(path: string, localFile: string): Promise<LakeObject> {
    return this.put(path, async () => {
      if (this.holds(path)) return this.shows(await super.putFile(path, localFile));
      // An existing file is opened with O_TRUNC: the same inode gets the new bytes.
      return this.firstPut(path, (file) => copyFile(localFile, file));
    });
  }

  override putText(path: string, text: string): Promise<void> {
    return this.put(path, async () => {
      if (this.holds(path)) {
        await super.putText(path, text);
        this.shows({ path, bytes: Buffer.byteLength(text) });
      } else await this.firstPut(path, (file) => writeFile(file, text));
    });
  }

  override async readText(path: string): Promise<string | null> {
    return this.shown.has(path) ? super.readText(path) : null;
  }

  override async getFile(path: string, localFile: string): Promise<boolean> {
    return this.shown.has(path) ? super.getFile(path, localFile) : false;
  }

  override async list(prefix: string): Promise<LakeObject[]> {
    const objects: LakeObject[] = [];
    for (const [path, bytes] of this.shown)
      if (path.startsWith(prefix)) objects.push({ path, bytes });
    return objects.sort(byPath);
  }

  protected override async deleteObject(path: string): Promise<void> {
    await super.deleteObject(path);
    this.shown.delete(path);
  }

  /**
   * Deletes every file this lake does not show (the earlier lake's files no put replaced, and
   * any half-written one) and the folders left empty: the folder then holds exactly the objects
   * put. Call it once the lake is written, with no put under way; a put while it runs is refused.
   * Returns the files deleted.
   *
   * It reads every folder of the lake (3,658 at the reference scale, about 0.2 s), and gives the
   * event loop back every `SWEEP_FOLDERS_PER_TURN` folders, so that it can run beside work that
   * needs the main thread only now and then (`npm start` sweeps while the warehouse loads). Only
   * files it does not show are deleted, so a reader of the objects it shows is never disturbed.
   */
  async removeUnwritten(): Promise<number> {
    if (this.putsUnderWay > 0) throw new Error("removeUnwritten ran while a put was under way");
    this.sweeping = true;
    try {
      return await this.sweep();
    } finally {
      this.sweeping = false;
    }
  }

  private async sweep(): Promise<number> {
    let removed = 0;
    let folders = 0;
    // Synchronous listing, as `LocalLake.list` explains: thousands of day folders.
    const sweep = async (folder: string, prefix: string): Promise<boolean> => {
      if (++folders % SWEEP_FOLDERS_PER_TURN === 0) await new Promise((go) => setImmediate(go));
      let kept = 0;
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const absolute = join(folder, entry.name);
        const path = `${prefix}${entry.name}`;
        if (entry.isDirectory()) {
          if (await sweep(absolute, `${path}/`)) await rmdir(absolute);
          else kept += 1;
        } else if (this.shown.has(path)) {
          kept += 1;
        } else {
          await unlink(absolute);
          removed += 1;
        }
      }
      return kept === 0;
    };
    if (existsSync(this.root)) await sweep(this.root, "");
    return removed;
  }

  /** Shows an object whose write has finished, with its size; returns it. */
  private shows(object: LakeObject): LakeObject {
    this.shown.set(object.path, object.bytes);
    return object;
  }

  /**
   * Runs a put, counted while under way. A put while `removeUnwritten` runs is refused: the sweep
   * could delete its file, or its temporary file, before it is shown.
   */
  private async put<T>(path: string, work: () => Promise<T>): Promise<T> {
    if (this.sweeping)
      throw new Error(`Lake path "${path}" was put while unwritten files were being removed`);
    this.putsUnderWay += 1;
    try {
      return await work();
    } finally {
      this.putsUnderWay -= 1;
    }
  }

  /** Whether a put of `path` replaces an object this lake shows, or one being put. */
  private holds(path: string): boolean {
    return this.shown.has(path) || this.writing.has(path);
  }

  /**
   * Writes a path's first put to its file (the previous lake's, when it had one); the object is
   * shown, with the size written, only once the write has finished.
   */
  private async firstPut(
    path: string,
    write: (file: string) => Promise<void>,
  ): Promise<LakeObject> {
    const target = this.uri(path);
    this.writing.add(path);
    try {
      await mkdir(dirname(target), { recursive: true });
      await write(target);
      return this.shows({ path, bytes: (await stat(target)).size });
    } finally {
      this.writing.delete(path);
    }
  }
}

/** Folders `removeUnwritten` reads before it lets other callbacks run (about 4 ms of work). */
const SWEEP_FOLDERS_PER_TURN = 64;

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
