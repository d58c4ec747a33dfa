import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GcsLake, RESUMABLE_THRESHOLD_BYTES, type GcsFileLike, type StorageLike } from "./gcsLake";

/** An in-memory bucket that records every request the lake makes, in the client's own shapes. */
function recordingStorage(
  initial: Record<string, { size: number; generation: number; text?: string }> = {},
) {
  const objects = new Map(Object.entries(initial));
  const calls: { method: string; args: unknown[] }[] = [];
  const fileFor = (name: string): GcsFileLike => ({
    name,
    metadata: { size: String(objects.get(name)?.size ?? 0) },
    async getMetadata() {
      calls.push({ method: "getMetadata", args: [name] });
      const o = objects.get(name);
      if (!o) throw Object.assign(new Error("No such object"), { code: 404 });
      return [{ generation: String(o.generation) }];
    },
    async delete(options) {
      calls.push({ method: "delete", args: [name, options] });
      objects.delete(name);
      return [];
    },
    async download() {
      calls.push({ method: "download", args: [name] });
      const o = objects.get(name);
      if (!o) throw Object.assign(new Error("No such object"), { code: 404 });
      return [Buffer.from(o.text ?? "")];
    },
    async save(data, options) {
      calls.push({ method: "save", args: [name, options] });
      const prev = objects.get(name);
      if ((prev?.generation ?? 0) !== options.preconditionOpts.ifGenerationMatch)
        throw Object.assign(new Error("Precondition failed"), { code: 412 });
      objects.set(name, { size: data.length, generation: (prev?.generation ?? 0) + 1, text: data });
      return [];
    },
  });
  const buckets: string[] = [];
  const storage: StorageLike = {
    bucket(bucketName) {
      buckets.push(bucketName);
      return {
        file: fileFor,
        async upload(localPath, options) {
          calls.push({ method: "upload", args: [localPath, options] });
          const prev = objects.get(options.destination);
          objects.set(options.destination, { size: 1, generation: (prev?.generation ?? 0) + 1 });
          return [fileFor(options.destination)];
        },
        async getFiles(query) {
          calls.push({ method: "getFiles", args: [query] });
          const names = [...objects.keys()].filter((n) => n.startsWith(query.prefix)).reverse();
          return [names.map(fileFor)];
        },
      };
    },
  };
  return { storage, calls, objects, buckets };
}

describe("GcsLake", () => {
  let dir: string;
  let small: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gcslake-"));
    small = join(dir, "part.parquet");
    await writeFile(small, Buffer.alloc(1234, 7));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("names objects with gs:// URIs in its bucket", () => {
    const { storage, buckets } = recordingStorage();
    const lake = new GcsLake(storage, "shop-lake");
    expect(lake.uri("raw/events/dt=2024-06-01/part-0-of-1.parquet")).toBe(
      "gs://shop-lake/raw/events/dt=2024-06-01/part-0-of-1.parquet",
    );
    expect(buckets).toEqual(["shop-lake"]);
  });

  it("uploads a new small file in one request, only if no object exists yet", async () => {
    const { storage, calls } = recordingStorage();
    const lake = new GcsLake(storage, "shop-lake");
    const stored = await lake.putFile("raw/events/dt=2024-06-01/part-0-of-1.parquet", small);
    expect(stored).toEqual({ path: "raw/events/dt=2024-06-01/part-0-of-1.parquet", bytes: 1234 });
    const upload = calls.find((c) => c.method === "upload")!;
    expect(upload.args).toEqual([
      small,
      {
        destination: "raw/events/dt=2024-06-01/part-0-of-1.parquet",
        resumable: false,
        validation: "crc32c",
        contentType: "application/vnd.apache.parquet",
        preconditionOpts: { ifGenerationMatch: 0 },
      },
    ]);
    expect(RESUMABLE_THRESHOLD_BYTES).toBeGreaterThan(1234);
  });

  it("replaces an existing object on the generation it read", async () => {
    const path = "raw/users/dt=2024-06-01/part-0-of-1.parquet";
    const { storage, calls } = recordingStorage({ [path]: { size: 10, generation: 17 } });
    await new GcsLake(storage, "shop-lake").putFile(path, small);
    const upload = calls.find((c) => c.method === "upload")!;
    expect((upload.args[1] as { preconditionOpts: unknown }).preconditionOpts).toEqual({
      ifGenerationMatch: 17,
    });
  });

  it("lists a prefix sorted by path with sizes", async () => {
    const { storage, calls } = recordingStorage({
      "raw/orders/dt=2024-06-02/part-0-of-1.parquet": { size: 5, generation: 1 },
      "raw/orders/dt=2024-06-01/part-0-of-1.parquet": { size: 9, generation: 1 },
      "raw/events/dt=2024-06-01/part-0-of-1.parquet": { size: 3, generation: 1 },
    });
    const listed = await new GcsLake(storage, "b").list("raw/orders/");
    expect(listed).toEqual([
      { path: "raw/orders/dt=2024-06-01/part-0-of-1.parquet", bytes: 9 },
      { path: "raw/orders/dt=2024-06-02/part-0-of-1.parquet", bytes: 5 },
    ]);
    expect(calls[0]).toEqual({
      method: "getFiles",
      args: [{ prefix: "raw/orders/", autoPaginate: true }],
    });
  });

  it("deletes every object under a prefix and nothing else", async () => {
    const { storage, objects } = recordingStorage({
      "raw/orders/dt=2024-06-01/part-0-of-2.parquet": { size: 5, generation: 1 },
      "raw/orders/dt=2024-06-01/part-1-of-2.parquet": { size: 5, generation: 1 },
      "raw/orders/dt=2024-06-02/part-0-of-1.parquet": { size: 9, generation: 1 },
    });
    const lake = new GcsLake(storage, "b");
    expect(await lake.deletePrefix("raw/orders/dt=2024-06-01/")).toBe(2);
    expect([...objects.keys()]).toEqual(["raw/orders/dt=2024-06-02/part-0-of-1.parquet"]);
  });

  it("refuses to delete the whole bucket", async () => {
    const { storage } = recordingStorage();
    await expect(new GcsLake(storage, "b").deletePrefix("")).rejects.toThrow(/empty prefix/);
  });

  it("reads a missing text object as null, and writes one only over the generation it read", async () => {
    const { storage, calls, objects } = recordingStorage();
    const lake = new GcsLake(storage, "shop-lake");
    expect(await lake.readText("manifest.json")).toBeNull();
    await lake.putText("manifest.json", '{"a":1}');
    await lake.putText("manifest.json", '{"a":2}');
    expect(await lake.readText("manifest.json")).toBe('{"a":2}');
    expect(objects.get("manifest.json")?.generation).toBe(2);
    const saves = calls.filter((c) => c.method === "save").map((c) => c.args[1]);
    expect(saves).toEqual([
      expect.objectContaining({ preconditionOpts: { ifGenerationMatch: 0 } }),
      expect.objectContaining({ preconditionOpts: { ifGenerationMatch: 1 } }),
    ]);
  });
});
