import * as pulumi from "@pulumi/pulumi";
import {
  PREVIEW_DEFAULT_USERS,
  PROJECT_NAME,
  StackConfigError,
  datasetIdsFor,
  defaultMaximumBytesBilled,
  loadStackConfig,
  parseStackConfig,
} from "./config";
import { installRecordingMocks } from "./testing/pulumiMocks";
import { stackFileConfig } from "./testing/runProgram";

/** Pulumi.dev.yaml as the program sees it, without namespaces and with objects parsed. */
function devRaw(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(stackFileConfig("dev")).map(([key, value]) => {
      const bare = key.split(":")[1]!;
      return [bare, /^[[{]/.test(value) ? JSON.parse(value) : value];
    }),
  );
}

function errorOf(raw: Record<string, unknown>, stack = "dev"): StackConfigError {
  try {
    parseStackConfig(raw, stack);
  } catch (e) {
    if (e instanceof StackConfigError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

describe("parseStackConfig", () => {
  it("accepts the committed dev configuration as written", () => {
    const config = parseStackConfig(devRaw(), "dev");
    expect(config.project).toBe("my-analytics-dev");
    expect(config.generator.users).toBe(30_000);
    expect(config.isPreview).toBe(false);
    expect(config.datasets).toEqual({
      raw: "raw_dev",
      marts: "marts_dev",
      snapshots: "snapshots_dev",
    });
    expect(config.deployEnvironment).toBe("dev");
    expect(config.maximumBytesBilled).toBe(3 * 2 ** 30);
  });

  it("rejects an unknown location naming ecommerce-analytics:location", () => {
    const e = errorOf({ ...devRaw(), location: "mars-north1" });
    expect(e.keys).toEqual(["ecommerce-analytics:location"]);
    expect(e.message).toMatch(/ecommerce-analytics:location: /);
  });

  it("rejects a negative scale naming ecommerce-analytics:generator.users", () => {
    const raw = devRaw();
    const e = errorOf({ ...raw, generator: { ...(raw.generator as object), users: -5 } });
    expect(e.keys).toEqual(["ecommerce-analytics:generator.users"]);
  });

  it("refuses a horizonEnd, which the open-ended world no longer has, naming the key", () => {
    const raw = devRaw();
    const e = errorOf({
      ...raw,
      generator: { ...(raw.generator as object), horizonEnd: "2027-12-31" },
    });
    expect(e.keys).toEqual(["ecommerce-analytics:generator"]);
    expect(e.message).toMatch(/horizonEnd/);
  });

  it("rejects a malformed schedule naming ecommerce-analytics:schedule.runTime", () => {
    const raw = devRaw();
    const e = errorOf({ ...raw, schedule: { ...(raw.schedule as object), runTime: "25:99" } });
    expect(e.keys).toEqual(["ecommerce-analytics:schedule.runTime"]);
    expect(e.message).toMatch(/HH:MM/);
  });

  it("refuses the old clock-chained schedule keys, naming them", () => {
    const e = errorOf({ ...devRaw(), schedule: { loadTime: "02:00", rfmAfterMinutes: 30 } });
    expect(e.keys).toEqual(["ecommerce-analytics:schedule"]);
    expect(e.message).toMatch(/loadTime/);
  });

  it("defaults maximumBytesBilled from the scale, and takes an explicit one", () => {
    const raw = devRaw();
    delete raw.maximumBytesBilled;
    expect(parseStackConfig(raw, "dev").maximumBytesBilled).toBe(defaultMaximumBytesBilled(30_000));
    expect(defaultMaximumBytesBilled(30_000)).toBe(3 * 2 ** 30);
    expect(defaultMaximumBytesBilled(1_000)).toBe(2 ** 30);
    expect(defaultMaximumBytesBilled(5_000_000)).toBeGreaterThan(400 * 2 ** 30);
    expect(errorOf({ ...raw, maximumBytesBilled: "1000" }).keys).toEqual([
      "ecommerce-analytics:maximumBytesBilled",
    ]);
  });

  it("takes a Looker Studio template per mart, and names a template for a mart that does not exist", () => {
    const templates = { dm_kpi_daily: "abc-123", dm_funnel_daily: "def_456" };
    expect(
      parseStackConfig({ ...devRaw(), lookerStudioTemplates: templates }, "dev")
        .lookerStudioTemplates,
    ).toEqual(templates);
    const e = errorOf({ ...devRaw(), lookerStudioTemplates: { dm_kpi_dialy: "abc" } });
    expect(e.keys).toEqual(["ecommerce-analytics:lookerStudioTemplates.dm_kpi_dialy"]);
    expect(e.message).toMatch(/no mart is named dm_kpi_dialy/);
  });

  it("accepts an optional budget with thresholds, and names a malformed billing account", () => {
    const budget = { billingAccount: "01A2B3-C4D5E6-F7A8B9", monthlyAmount: 25 };
    expect(parseStackConfig({ ...devRaw(), budget }, "dev").budget).toEqual({
      ...budget,
      currency: "USD",
      thresholds: [0.5, 0.9, 1],
    });
    expect(
      errorOf({ ...devRaw(), budget: { ...budget, billingAccount: "my-account" } }).keys,
    ).toEqual(["ecommerce-analytics:budget.billingAccount"]);
  });

  it("names the provider key gcp:project when the project is missing", () => {
    const raw = devRaw();
    delete raw.project;
    expect(errorOf(raw).keys).toEqual(["gcp:project"]);
  });

  it("reports every bad key at once", () => {
    const e = errorOf({ project: "Bad_Project", region: "moon-1", alertEmail: "nobody" });
    expect(e.keys.sort()).toEqual(["ecommerce-analytics:alertEmail", "gcp:project", "gcp:region"]);
  });

  it("rejects an unknown key inside a structured value by its path", () => {
    const e = errorOf({ ...devRaw(), generator: { userz: 10 } });
    expect(e.message).toMatch(/ecommerce-analytics:generator/);
    expect(e.message).toMatch(/userz/);
  });

  it("rejects a BI reader that is not an IAM member", () => {
    expect(errorOf({ ...devRaw(), biReaders: ["analysts@example.com"] }).keys).toEqual([
      "ecommerce-analytics:biReaders.0",
    ]);
  });

  it("derives preview behaviour from the stack name alone", () => {
    const config = parseStackConfig({ project: "my-analytics-dev" }, "pr-123");
    expect(config.isPreview).toBe(true);
    expect(config.envLabel).toBe("preview");
    expect(config.generator.users).toBe(PREVIEW_DEFAULT_USERS);
    expect(config.alertEmail).toBeUndefined();
    expect(config.datasets).toEqual({
      raw: "raw_pr_123",
      marts: "marts_pr_123",
      snapshots: "snapshots_pr_123",
    });
  });

  it("keeps a dev stack protected unless allowDestroy is set to true", () => {
    expect(parseStackConfig(devRaw(), "dev").destroyable).toBe(false);
    expect(parseStackConfig({ ...devRaw(), allowDestroy: "false" }, "dev").destroyable).toBe(false);
    expect(parseStackConfig({ ...devRaw(), allowDestroy: "true" }, "dev").destroyable).toBe(true);
    expect(errorOf({ ...devRaw(), allowDestroy: "yes" }).keys).toEqual([
      "ecommerce-analytics:allowDestroy",
    ]);
  });

  it("keeps an explicitly configured preview scale", () => {
    const config = parseStackConfig(
      { project: "my-analytics-dev", generator: { users: 500 } },
      "pr-7",
    );
    expect(config.generator.users).toBe(500);
  });
});

describe("datasetIdsFor", () => {
  it("never gives two stacks of a project the same dataset ids, previews or not", () => {
    const stacks = ["dev", "prod", "pr-123", "staging"];
    const ids = stacks.flatMap((s) => Object.values(datasetIdsFor(s)));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("loadStackConfig", () => {
  beforeAll(() => installRecordingMocks(PROJECT_NAME, "pr-42"));

  it("reads namespaced and structured keys from Pulumi config", () => {
    pulumi.runtime.setAllConfig({
      "gcp:project": "my-analytics-dev",
      "ecommerce-analytics:location": "EU",
      "ecommerce-analytics:generator": JSON.stringify({ users: 200, seed: 7 }),
    });
    const config = loadStackConfig();
    expect(config).toMatchObject({ stack: "pr-42", location: "EU", isPreview: true });
    expect(config.generator).toMatchObject({
      users: 200,
      seed: 7,
      startDate: "2024-01-01",
    });
  });

  it("fails with the key's name when Pulumi config holds a bad value", () => {
    pulumi.runtime.setAllConfig({
      "gcp:project": "my-analytics-dev",
      "ecommerce-analytics:schedule": JSON.stringify({ runTime: "2am" }),
    });
    expect(() => loadStackConfig()).toThrow(/ecommerce-analytics:schedule\.runTime/);
  });
});
