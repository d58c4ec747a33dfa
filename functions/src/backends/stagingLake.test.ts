import fs from "node:fs";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { LocalLake } from "./localLake";
import { StagingLake } from "./stagingLake";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "staging-lake-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const DAY_1 = "raw/orders/dt=2024-01-01/part-0-of-1-b0.parquet";
const DAY_2 = "raw/orders/dt=2024-01-02/part-0-of-1-b0.parquet";
const DAY_3 = "raw/orders/dt=2024-01-03/part-0-of-1-b0.parquet";
const USERS = "raw/users/asof=2024-01-03/part-0-of-1-b0.parquet";

/** The lake an earlier run left: three days of orders, the users and its manifest. */
async function previousLake(): Promise<string> {
  const previous = join(dir, ".previous-lake");
  for (const path of [DAY_1, DAY_2, DAY_3, USERS, "manifest.json"]) {
    const file = join(previous, ...path.split("/"));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `earlier ${path}`);
  }
  return previous;
}

async function source(name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

/** Every file under a folder, `/`-separated and sorted, with its content. */
async function tree(root: string, prefix = ""): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...(await tree(join(root, entry.name), `${path}/`)));
    else out.push([path, await readFile(join(root, entry.name), "utf8")]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

describe("StagingLake", () => {
  it("shows none of the previous lake's objects until this run puts them", async () => {
    const lake = await StagingLake.open(join(dir, "lake"), await previousLake());
    expect(existsSync(join(dir, ".previous-lake"))).toBe(false); // moved in, to be written over
    expect(await lake.list("")).toEqual([]);
    expect(await lake.list("raw/orders/")).toEqual([]);
    expect(await lake.readText("manifest.json")).toBeNull();
    expect(await lake.getFile(DAY_1, join(dir, "copy"))).toBe(false);
    expect(existsSync(join(dir, "copy"))).toBe(false);
  });

  it("writes a path the previous lake held over its file: same inode, new bytes, now shown", async () => {
    const lake = await StagingLake.open(join(dir, "lake"), await previousLake());
    const inode = (await stat(lake.uri(DAY_2))).ino;
    expect(await lake.putFile(DAY_2, await source("a", "new"))).toEqual({ path: DAY_2, bytes: 3 });
    await lake.putText("manifest.json", "{}");
    expect((await stat(lake.uri(DAY_2))).ino).toBe(inode);
    expect(await readFile(lake.uri(DAY_2), "utf8")).toBe("new");
    expect(await lake.list("raw/")).toEqual([{ path: DAY_2, bytes: 3 }]);
    expect(await lake.readText("manifest.json")).toBe("{}");
    expect(await lake.getFile(DAY_2, join(dir, "copy"))).toBe(true);
    expect(await readFile(join(dir, "copy"), "utf8")).toBe("new");
  });

  it("replaces an object it already shows whole: a failed second put keeps the first", async () => {
    const lake = await StagingLake.open(join(dir, "lake"), await previousLake());
    await lake.putFile(DAY_1, await source("a", "first"));
    // A folder as the source fails after the target is opened: written in place, the object
    // would be truncated or gone.
    await expect(lake.putFile(DAY_1, dir)).rejects.toThrow(/EISDIR/);
    expect(await readFile(lake.uri(DAY_1), "utf8")).toBe("first");
    expect(await lake.list("raw/")).toEqual([{ path: DAY_1, bytes: 5 }]);
  });

  it("lists what it put without reading the folder, where the earlier lake's folders are", async () => {
    const lake = await StagingLake.open(join(dir, "lake"), await previousLake());
    await lake.putFile(DAY_3, await source("a", "day 3"));
    await lake.putText("manifest.json", "{}");
    const readdir = jest.spyOn(fs, "readdirSync");
    const stat = jest.spyOn(fs, "statSync");
    try {
      expect(await lake.list("")).toEqual([
        { path: "manifest.json", bytes: 2 },
        { path: DAY_3, bytes: 5 },
      ]);
      expect(await lake.list("raw/orders/dt=2024-01-0")).toEqual([{ path: DAY_3, bytes: 5 }]);
      expect(readdir).not.toHaveBeenCalled();
      expect(stat).not.toHaveBeenCalled();
    } finally {
      readdir.mockRestore();
      stat.mockRestore();
    }
  });

  it("lets other callbacks run while it sweeps many folders, and refuses a put meanwhile", async () => {
    // Nothing to delete: without its own turns the sweep would never give the event loop back.
    const previous = join(dir, ".previous-lake");
    const day = (i: number) => `raw/events/dt=${1000 + i}/part-0-of-1-b0.parquet`;
    const days = Array.from({ length: 200 }, (_, i) => day(i));
    for (const path of days) {
      await mkdir(dirname(join(previous, path)), { recursive: true });
      await writeFile(join(previous, path), "earlier");
    }
    const lake = await StagingLake.open(join(dir, "lake"), previous);
    const file = await source("a", "new");
    for (const path of days) await lake.putFile(path, file);
    let putDuringSweep: Promise<string> | undefined;
    setImmediate(() => {
      putDuringSweep = lake.putFile(day(200), file).then(
        () => "put",
        (error: Error) => error.message,
      );
    });
    expect(await lake.removeUnwritten()).toBe(0);
    expect(await putDuringSweep).toMatch(/while unwritten files were being removed/);
    expect(existsSync(lake.uri(day(200)))).toBe(false);
    // Once it has finished, puts go on.
    await lake.putFile(day(200), file);
    expect(await lake.list("")).toHaveLength(201);
  });

  it("refuses to sweep while any put is under way, a second put of a path included", async () => {
    const lake = await StagingLake.open(join(dir, "lake"), await previousLake());
    await lake.putFile(DAY_1, await source("a", "first"));
    const second = lake.putFile(DAY_1, await source("b", "second"));
    await expect(lake.removeUnwritten()).rejects.toThrow(/while a put was under way/);
    await second;
    expect(await lake.removeUnwritten()).toBe(4);
    expect(await tree(lake.root)).toEqual([[DAY_1, "second"]]);
  });

  it("keeps a path hidden when its first put fails, and removes its file later", async () => {
    const lake = await StagingLake.open(join(dir, "lake"), await previousLake());
    await expect(lake.putFile(DAY_1, join(dir, "missing"))).rejects.toThrow(/ENOENT/);
    expect(await lake.list("raw/")).toEqual([]);
    expect(await lake.removeUnwritten()).toBe(5);
    expect(existsSync(lake.uri(DAY_1))).toBe(false);
  });

  it("deletes only objects it shows", async () => {
    const lake = await StagingLake.open(join(dir, "lake"), await previousLake());
    await lake.putFile(DAY_1, await source("a", "new"));
    expect(await lake.deletePrefix("raw/orders/")).toBe(1);
    expect(await lake.list("")).toEqual([]);
    expect(await lake.readText(DAY_1)).toBeNull();
    expect(existsSync(lake.uri(DAY_2))).toBe(true); // hidden, left for removeUnwritten
  });

  it("after removeUnwritten holds exactly the files a new lake given the same puts holds", async () => {
    const staged = await StagingLake.open(join(dir, "lake"), await previousLake());
    const fresh = new LocalLake(join(dir, "fresh"));
    // A shorter run: two of the three days, a later state folder and a new table.
    await writeFile(join(staged.root, "raw", "orders", "dt=2024-01-02", ".tmp-abc123"), "half");
    const puts: [string, string][] = [
      [DAY_1, "day 1"],
      [DAY_2, "day 2"],
      ["raw/users/asof=2024-01-02/part-0-of-1-b0.parquet", "users"],
      ["raw/products/asof=2024-01-02/part-0-of-1-b0.parquet", "products"],
    ];
    for (const lake of [staged, fresh]) {
      for (const [path, content] of puts) await lake.putFile(path, await source("f", content));
      await lake.putText("manifest.json", "{}");
    }
    // The earlier day 3, users and temporary file; the earlier manifest was written over.
    expect(await staged.removeUnwritten()).toBe(3);
    expect(await tree(staged.root)).toEqual(await tree(fresh.root));
    expect(await readdir(join(staged.root, "raw", "orders"))).toEqual([
      "dt=2024-01-01",
      "dt=2024-01-02",
    ]);
    expect(await readdir(join(staged.root, "raw", "users"))).toEqual(["asof=2024-01-02"]);
    expect(await staged.list("")).toEqual(await fresh.list(""));
  });

  it("leaves a previous lake that is a file, not a folder, where it is", async () => {
    await writeFile(join(dir, ".previous-lake"), "not a lake");
    const lake = await StagingLake.open(join(dir, "lake"), join(dir, ".previous-lake"));
    expect(await lake.putFile(DAY_1, await source("a", "new"))).toEqual({ path: DAY_1, bytes: 3 });
    expect(await readFile(join(dir, ".previous-lake"), "utf8")).toBe("not a lake");
  });

  it("starts empty when there is no previous lake, and refuses a folder that exists", async () => {
    const lake = await StagingLake.open(join(dir, "lake"), join(dir, "none"));
    expect(await lake.list("")).toEqual([]);
    expect(await lake.removeUnwritten()).toBe(0);
    await mkdir(join(dir, "taken"));
    await expect(StagingLake.open(join(dir, "taken"))).rejects.toThrow(/starts new/);
  });
});
