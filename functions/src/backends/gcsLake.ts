import { stat } from "node:fs/promises";
import type { Lake, LakeObject } from "./types";

/**
 * The slice of `@google-cloud/storage` the lake uses. The real `Storage` satisfies it; tests pass
 * a recorder with the same shape, so the exact requests are asserted without a network.
 */
export interface GcsFileLike {
  readonly name: string;
  readonly metadata: { readonly size?: string | number; readonly generation?: string | number };
  getMetadata(): Promise<[{ generation?: string | number }, ...unknown[]]>;
  delete(options?: { ignoreNotFound?: boolean }): Promise<unknown>;
  download(options?: { destination: string }): Promise<unknown[]>;
  save(
    data: string,
    options: {
      resumable: boolean;
      contentType: string;
      preconditionOpts: { ifGenerationMatch: number };
    },
  ): Promise<unknown>;
}

export interface GcsBucketLike {
  file(name: string): GcsFileLike;
  upload(
    localPath: string,
    options: {
      destination: string;
      resumable: boolean;
      validation: "crc32c";
      contentType: string;
      preconditionOpts: { ifGenerationMatch: number };
    },
  ): Promise<[GcsFileLike, ...unknown[]]>;
  getFiles(query: {
    prefix: string;
    autoPaginate: boolean;
  }): Promise<[GcsFileLike[], ...unknown[]]>;
}

export interface StorageLike {
  bucket(name: string): GcsBucketLike;
}

/**
 * Above this size an upload is resumable (it survives a dropped connection mid-file); below it a
 * single request is faster, and GCS makes either kind visible only once complete.
 */
export const RESUMABLE_THRESHOLD_BYTES = 8 * 1024 * 1024;

/** Parquet's registered media type, so the console and downloads label lake files correctly. */
const PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet";

function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 404;
}

/**
 * The lake in a GCS bucket. Objects are whole or absent (GCS never exposes a partial upload), and
 * every upload carries an `ifGenerationMatch` precondition on the generation it replaces, which
 * makes the write idempotent, so the client retries it safely, and turns a concurrent writer into
 * a clear 412 instead of a silent lost update.
 */
export class GcsLake implements Lake {
  readonly kind = "gcs" as const;
  private readonly bucket: GcsBucketLike;

  constructor(
    storage: StorageLike,
    readonly bucketName: string,
  ) {
    this.bucket = storage.bucket(bucketName);
  }

  uri(path: string): string {
    return `gs://${this.bucketName}/${path}`;
  }

  async putFile(path: string, localFile: string): Promise<LakeObject> {
    const { size } = await stat(localFile);
    const generation = await this.currentGeneration(path);
    await this.bucket.upload(localFile, {
      destination: path,
      resumable: size > RESUMABLE_THRESHOLD_BYTES,
      validation: "crc32c",
      contentType: PARQUET_CONTENT_TYPE,
      preconditionOpts: { ifGenerationMatch: generation },
    });
    return { path, bytes: size };
  }

  async readText(path: string): Promise<string | null> {
    try {
      const [data] = await this.bucket.file(path).download();
      return (data as Buffer).toString("utf8");
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Streams the object to a local file (the client checks its CRC32C as it downloads). */
  async getFile(path: string, localFile: string): Promise<boolean> {
    try {
      await this.bucket.file(path).download({ destination: localFile });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Like `putFile`, with the generation precondition: a concurrent writer gets a 412, not a lost update. */
  async putText(path: string, text: string): Promise<void> {
    const generation = await this.currentGeneration(path);
    await this.bucket.file(path).save(text, {
      resumable: false,
      contentType: "application/json",
      preconditionOpts: { ifGenerationMatch: generation },
    });
  }

  async list(prefix: string): Promise<LakeObject[]> {
    const [files] = await this.bucket.getFiles({ prefix, autoPaginate: true });
    return files
      .map((f) => ({ path: f.name, bytes: Number(f.metadata.size ?? 0) }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (prefix === "")
      throw new Error("GcsLake.deletePrefix refuses an empty prefix (the whole bucket)");
    const [files] = await this.bucket.getFiles({ prefix, autoPaginate: true });
    for (const f of files) await f.delete({ ignoreNotFound: true });
    return files.length;
  }

  /** The generation an upload replaces; 0 means "only if no object exists yet". */
  private async currentGeneration(path: string): Promise<number> {
    try {
      const [metadata] = await this.bucket.file(path).getMetadata();
      return Number(metadata.generation ?? 0);
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
  }
}
