import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalLake } from "./localLake";
import { StagingLake } from "./stagingLake";

let dir: string;
let lake: LocalLake;

afterEach(() => rm(dir, { recursive: true, force: true }));

async function source(name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

// A staging lake with nothing to reuse keeps every promise of the folder lake.
describe.each([
  ["LocalLake", async (root: string): Promise<LocalLake> => new LocalLake(root)],
  ["StagingLake with no previous lake", (root: string) => StagingLake.open(root)],
])("%s", (_name, open) => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "local-lake-"));
    lake = await open(join(dir, "lake"));
  });

  it("stores a file at its lake path and reports its size", async () => {
    const object = await lake.putFile(
      "raw/orders/dt=2024-01-02/part-0-of-1.parquet",
      await source("a", "hello"),
    );
    expect(object).toEqual({ path: "raw/orders/dt=2024-01-02/part-0-of-1.parquet", bytes: 5 });
    expect(await readFile(lake.uri(object.path), "utf8")).toBe("hello");
  });

  it("replaces an object whole and leaves no temporary file beside it", async () => {
    const path = "raw/users/part-0-of-1.parquet";
    await lake.putFile(path, await source("a", "old content"));
    await lake.putFile(path, await source("b", "new"));
    expect(await readFile(lake.uri(path), "utf8")).toBe("new");
    expect(await readdir(join(dir, "lake", "raw", "users"))).toEqual(["part-0-of-1.parquet"]);
    expect(await lake.list("raw/")).toEqual([{ path, bytes: 3 }]);
    await lake.putText("manifest.json", '{"a":1}');
    await lake.putText("manifest.json", "{}");
    expect(await lake.list("manifest")).toEqual([{ path: "manifest.json", bytes: 2 }]);
  });

  it("keeps the old object intact when a put fails", async () => {
    const path = "raw/users/part-0-of-1.parquet";
    await lake.putFile(path, await source("a", "old content"));
    await expect(lake.putFile(path, join(dir, "missing"))).rejects.toThrow(/ENOENT/);
    expect(await readFile(lake.uri(path), "utf8")).toBe("old content");
    expect(await readdir(join(dir, "lake", "raw", "users"))).toEqual(["part-0-of-1.parquet"]);
  });

  it("never lists a file that is still being written", async () => {
    await lake.putFile("raw/users/part-0-of-1.parquet", await source("a", "x"));
    await writeFile(join(dir, "lake", "raw", "users", ".tmp-abc123"), "half a fi");
    expect((await lake.list("raw/")).map((o) => o.path)).toEqual(["raw/users/part-0-of-1.parquet"]);
  });

  it("lists the objects under a prefix sorted by path, the prefix ending anywhere", async () => {
    const file = await source("a", "abc");
    for (const path of [
      "raw/orders/dt=2024-01-02/part-1-of-2.parquet",
      "raw/orders/dt=2024-01-02/part-0-of-2.parquet",
      "raw/orders/dt=2024-01-01/part-0-of-2.parquet",
      "raw/order_items/dt=2024-01-01/part-0-of-2.parquet",
    ]) {
      await lake.putFile(path, file);
    }
    expect((await lake.list("raw/orders/")).map((o) => o.path)).toEqual([
      "raw/orders/dt=2024-01-01/part-0-of-2.parquet",
      "raw/orders/dt=2024-01-02/part-0-of-2.parquet",
      "raw/orders/dt=2024-01-02/part-1-of-2.parquet",
    ]);
    expect((await lake.list("raw/orders/dt=2024-01-02/part-1")).map((o) => o.path)).toEqual([
      "raw/orders/dt=2024-01-02/part-1-of-2.parquet",
    ]);
    expect((await lake.list("raw/order")).length).toBe(4);
    expect(await lake.list("raw/missing/")).toEqual([]);
  });

  it("deletes exactly the objects under a prefix and counts them", async () => {
    const file = await source("a", "abc");
    await lake.putFile("raw/orders/dt=2024-01-01/part-0-of-1.parquet", file);
    await lake.putFile("raw/orders/dt=2024-01-02/part-0-of-1.parquet", file);
    await lake.putFile("raw/orders/dt=2024-01-02/part-1-of-1.parquet", file);
    expect(await lake.deletePrefix("raw/orders/dt=2024-01-02/")).toBe(2);
    expect((await lake.list("raw/")).map((o) => o.path)).toEqual([
      "raw/orders/dt=2024-01-01/part-0-of-1.parquet",
    ]);
    expect(await readdir(join(dir, "lake", "raw", "orders"))).toEqual(["dt=2024-01-01"]);
  });

  it("gives an absolute file path as the URI a load reads", () => {
    expect(lake.uri("raw/users/part-0-of-1.parquet")).toBe(
      join(dir, "lake", "raw", "users", "part-0-of-1.parquet"),
    );
  });

  it("rejects paths that would leave the lake", () => {
    for (const bad of ["../x", "/etc/passwd", "raw//x", "raw/./x", ""]) {
      expect(() => lake.uri(bad)).toThrow(/Invalid lake path/);
    }
  });
});
