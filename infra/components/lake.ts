import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { bucketName } from "../names";

export interface LakeArgs {
  project: string;
  stack: string;
  location: string;
  /** Buckets may be deleted with their objects (preview stacks, or a stack being torn down). */
  destroyable: boolean;
  labels: Record<string, string>;
  /** Raw files move to Nearline after this many days. */
  rawNearlineAfterDays: number;
  /** Raw files are deleted after this many days. */
  rawDeleteAfterDays: number;
  /** Overwritten/deleted object versions are kept this long. */
  noncurrentVersionDays: number;
}

/** The lake layout's raw prefix (see functions/src/backends/types.ts). */
export const RAW_PREFIX = "raw/";

/**
 * The lake bucket and the bucket holding function source archives. Both are private by
 * construction (uniform access, public access prevention enforced) so no object ACL can ever
 * expose data. Versioning keeps overwritten partitions for a few days: a re-run that writes bad
 * files can be rolled back. Only preview stacks may be destroyed with objects inside.
 */
export class Lake extends pulumi.ComponentResource {
  readonly bucket: gcp.storage.Bucket;
  readonly sourceBucket: gcp.storage.Bucket;

  constructor(name: string, args: LakeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:Lake", name, {}, opts);
    const common = {
      project: args.project,
      location: args.location,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      forceDestroy: args.destroyable,
      labels: args.labels,
      versioning: { enabled: true },
    };
    const dropOldVersions = {
      action: { type: "Delete" },
      condition: { daysSinceNoncurrentTime: args.noncurrentVersionDays, withState: "ARCHIVED" },
    };
    this.bucket = new gcp.storage.Bucket(
      `${name}-lake`,
      {
        ...common,
        name: bucketName(args.project, args.stack, "lake"),
        lifecycleRules: [
          {
            action: { type: "SetStorageClass", storageClass: "NEARLINE" },
            condition: { age: args.rawNearlineAfterDays, matchesPrefixes: [RAW_PREFIX] },
          },
          {
            action: { type: "Delete" },
            condition: { age: args.rawDeleteAfterDays, matchesPrefixes: [RAW_PREFIX] },
          },
          dropOldVersions,
        ],
      },
      { parent: this },
    );
    this.sourceBucket = new gcp.storage.Bucket(
      `${name}-function-sources`,
      {
        ...common,
        name: bucketName(args.project, args.stack, "fn-src"),
        lifecycleRules: [dropOldVersions],
      },
      { parent: this },
    );
    this.registerOutputs({ bucket: this.bucket.name, sourceBucket: this.sourceBucket.name });
  }
}
