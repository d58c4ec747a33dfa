import {
  backendConfigFromEnv,
  CLOUD_REQUIRED_VARS,
  CONFIG_DEFAULTS,
  ConfigError,
  FUNCTION_ENV,
  functionConfigFromEnv,
  generatorDefaultsFromEnv,
} from "./fromEnv";

const CLOUD = {
  GOOGLE_CLOUD_PROJECT: "shop-dev",
  LAKE_BUCKET: "shop-dev-lake",
  BIGQUERY_LOCATION: "EU",
  RAW_DATASET: "raw_pr_12",
  MARTS_DATASET: "marts_pr_12",
  SNAPSHOTS_DATASET: "snapshots_pr_12",
};

describe("backendConfigFromEnv", () => {
  it("runs locally by default, in the .data folder", () => {
    const config = backendConfigFromEnv({});
    expect(config.kind).toBe("local");
    expect(config.kind === "local" && config.dataDir.endsWith(CONFIG_DEFAULTS.localDataDir)).toBe(
      true,
    );
  });

  it("stays local when only GOOGLE_CLOUD_PROJECT is exported, as gcloud users often do", () => {
    expect(backendConfigFromEnv({ GOOGLE_CLOUD_PROJECT: "p", LOCAL_DATA_DIR: "/tmp/x" })).toEqual({
      kind: "local",
      dataDir: "/tmp/x",
    });
  });

  it("chooses GCS and BigQuery when every cloud variable is set", () => {
    expect(backendConfigFromEnv(CLOUD)).toEqual({
      kind: "cloud",
      project: "shop-dev",
      bucket: "shop-dev-lake",
      location: "EU",
      datasets: { raw: "raw_pr_12", marts: "marts_pr_12", snapshots: "snapshots_pr_12" },
    });
  });

  it("refuses a bucket without a project, naming GOOGLE_CLOUD_PROJECT", () => {
    const attempt = () => backendConfigFromEnv({ LAKE_BUCKET: "b" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/GOOGLE_CLOUD_PROJECT/);
    try {
      attempt();
    } catch (err) {
      expect((err as ConfigError).variable).toBe("GOOGLE_CLOUD_PROJECT");
    }
  });

  it.each(CLOUD_REQUIRED_VARS)("names %s when it alone is missing", (name) => {
    const env: Record<string, string> = { ...CLOUD };
    delete env[name];
    expect(() => backendConfigFromEnv(env)).toThrow(new RegExp(`but ${name} missing`));
  });

  it("treats an empty variable as unset", () => {
    expect(() => backendConfigFromEnv({ ...CLOUD, BIGQUERY_LOCATION: " " })).toThrow(
      /BIGQUERY_LOCATION missing/,
    );
  });

  it("rejects a dataset id BigQuery would refuse", () => {
    expect(() => backendConfigFromEnv({ ...CLOUD, RAW_DATASET: "raw-pr-12" })).toThrow(
      /RAW_DATASET must hold letters, digits and underscores/,
    );
  });
});

describe("generatorDefaultsFromEnv", () => {
  it("falls back to the reference world", () => {
    expect(generatorDefaultsFromEnv({})).toEqual({
      seed: 42,
      users: 30_000,
      startDate: "2024-01-01",
      explicit: false,
      maxBackfillDays: 31,
    });
  });

  it("reads every deployed default", () => {
    expect(
      generatorDefaultsFromEnv({
        GENERATOR_SEED: "7",
        GENERATOR_USERS: "300",
        GENERATOR_START_DATE: "2024-03-01",
        MAX_BACKFILL_DAYS: "10",
      }),
    ).toEqual({
      seed: 7,
      users: 300,
      startDate: "2024-03-01",
      explicit: true,
      maxBackfillDays: 10,
    });
  });

  it("says the world is named by the environment when any one of its variables is set", () => {
    expect(generatorDefaultsFromEnv({ GENERATOR_SEED: "42" }).explicit).toBe(true);
    expect(generatorDefaultsFromEnv({ MAX_BACKFILL_DAYS: "10" }).explicit).toBe(false);
  });

  it.each([
    [FUNCTION_ENV.generatorUsers, "3.5"],
    [FUNCTION_ENV.generatorUsers, "0"],
    [FUNCTION_ENV.generatorSeed, "abc"],
    [FUNCTION_ENV.maxBackfillDays, "0"],
    [FUNCTION_ENV.generatorStartDate, "2024-3-1"],
  ])("names %s when its value %p is invalid", (name, bad) => {
    expect(() => generatorDefaultsFromEnv({ [name]: bad })).toThrow(new RegExp(`^${name}=`));
  });
});

describe("functionConfigFromEnv", () => {
  it("parses backends and generator defaults together", () => {
    const config = functionConfigFromEnv({ ...CLOUD, GENERATOR_USERS: "500" });
    expect(config.backend.kind).toBe("cloud");
    expect(config.generator.users).toBe(500);
  });
});
