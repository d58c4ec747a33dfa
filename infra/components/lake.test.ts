import { recordComponents, T } from "../testing/componentHarness";
import type { RecordedResource } from "../testing/pulumiMocks";
import { Lake, RAW_PREFIX } from "./lake";

let buckets: RecordedResource[];
const args = {
  project: "my-analytics-dev",
  location: "US",
  labels: {},
  rawNearlineAfterDays: 30,
  rawDeleteAfterDays: 400,
  noncurrentVersionDays: 7,
};

beforeAll(async () => {
  const { byType } = await recordComponents("dev", () => {
    new Lake("dev", { ...args, stack: "dev", destroyable: false });
    new Lake("preview", { ...args, stack: "pr-9", destroyable: true });
  });
  buckets = byType(T.bucket);
});

describe("Lake", () => {
  it("enforces public access prevention and uniform access on every bucket", () => {
    expect(buckets).toHaveLength(4);
    for (const b of buckets) {
      expect(b.inputs.publicAccessPrevention).toBe("enforced");
      expect(b.inputs.uniformBucketLevelAccess).toBe(true);
      expect(b.inputs.versioning).toEqual({ enabled: true });
    }
  });

  it("ages raw files to Nearline, then deletes them, and drops old versions", () => {
    const lake = buckets.find((b) => b.name === "dev-lake")!;
    const rules = lake.inputs.lifecycleRules as {
      action: { type: string };
      condition: Record<string, unknown>;
    }[];
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: expect.objectContaining({ type: "SetStorageClass", storageClass: "NEARLINE" }),
          condition: expect.objectContaining({ age: 30, matchesPrefixes: [RAW_PREFIX] }),
        }),
        expect.objectContaining({
          action: { type: "Delete" },
          condition: expect.objectContaining({ age: 400, matchesPrefixes: [RAW_PREFIX] }),
        }),
        expect.objectContaining({
          condition: expect.objectContaining({ daysSinceNoncurrentTime: 7 }),
        }),
      ]),
    );
  });

  it("force-destroys buckets only on preview stacks, and names them per stack", () => {
    for (const b of buckets) expect(b.inputs.forceDestroy).toBe(b.name.startsWith("preview-"));
    const names = buckets.map((b) => b.inputs.name);
    expect(new Set(names).size).toBe(4);
    expect(names).toContain("my-analytics-dev-pr-9-lake");
  });
});
