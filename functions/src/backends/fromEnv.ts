import * as path from "node:path";

/**
 * The environment variables the functions read, named once. The Pulumi program sets these on
 * the deployed functions (it imports this constant), the local server reads the same names, and
 * the docs list them from here.
 *
 * Cloud backends are chosen when any of `CLOUD_TRIGGER_VARS` is set; from then on every variable
 * in `CLOUD_REQUIRED_VARS` must be set too, or the function refuses to start naming the missing
 * one. `GOOGLE_CLOUD_PROJECT` alone does not switch to the cloud: many laptops export it for gcloud.
 */
export const FUNCTION_ENV = {
  /** Google Cloud project that owns the bucket and the datasets. */
  project: "GOOGLE_CLOUD_PROJECT",
  /** GCS bucket of the lake (a name, not a URI). */
  lakeBucket: "LAKE_BUCKET",
  /** BigQuery location of the datasets and of every job, for example `US` or `EU`. */
  bigQueryLocation: "BIGQUERY_LOCATION",
  /** Per-stack dataset ids, for example `raw_pr_123` on a preview stack. */
  rawDataset: "RAW_DATASET",
  martsDataset: "MARTS_DATASET",
  snapshotsDataset: "SNAPSHOTS_DATASET",
  /** Local backends only: the folder holding `lake/` and `warehouse.duckdb` (default `.data`). */
  localDataDir: "LOCAL_DATA_DIR",
  /**
   * The deployment's world: seed, scale and first day. The world has no last day. Locally, when
   * none of the three is set, the functions use the world recorded in the data folder.
   */
  generatorSeed: "GENERATOR_SEED",
  generatorUsers: "GENERATOR_USERS",
  /** First day of the simulated shop (signups start here), `YYYY-MM-DD`. */
  generatorStartDate: "GENERATOR_START_DATE",
  /** Most days one `generateData` request may cover (a backfill larger than this is refused). */
  maxBackfillDays: "MAX_BACKFILL_DAYS",
} as const;

export type FunctionEnvKey = keyof typeof FUNCTION_ENV;

/** Setting any of these selects the cloud backends. */
export const CLOUD_TRIGGER_VARS: readonly string[] = [
  FUNCTION_ENV.lakeBucket,
  FUNCTION_ENV.bigQueryLocation,
  FUNCTION_ENV.rawDataset,
  FUNCTION_ENV.martsDataset,
  FUNCTION_ENV.snapshotsDataset,
];

/** With cloud backends every one of these is required. */
export const CLOUD_REQUIRED_VARS: readonly string[] = [FUNCTION_ENV.project, ...CLOUD_TRIGGER_VARS];

/** Defaults of the deployed configuration when a variable is unset. */
export const CONFIG_DEFAULTS = {
  seed: 42,
  users: 30_000,
  startDate: "2024-01-01",
  maxBackfillDays: 31,
  localDataDir: ".data",
} as const;

/** Bounds a request's or the environment's `users` must respect. */
export const USERS_BOUNDS = { min: 10, max: 5_000_000 } as const;

export interface GeneratorDefaults {
  readonly seed: number;
  readonly users: number;
  readonly startDate: string;
  /** True when the environment names the world (any of the three variables is set). */
  readonly explicit: boolean;
  readonly maxBackfillDays: number;
}

export type BackendConfig =
  | { readonly kind: "local"; readonly dataDir: string }
  | {
      readonly kind: "cloud";
      readonly project: string;
      readonly bucket: string;
      readonly location: string;
      readonly datasets: {
        readonly raw: string;
        readonly marts: string;
        readonly snapshots: string;
      };
    };

export interface FunctionConfig {
  readonly backend: BackendConfig;
  readonly generator: GeneratorDefaults;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A configuration error: names the variable so the deploy log says what to fix. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATASET_RE = /^[A-Za-z0-9_]{1,1024}$/;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === "" ? undefined : v;
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `${name}="${raw}" must be an integer from ${min} to ${max}`);
  }
  return n;
}

function dateVar(env: Env, name: string): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  if (!DATE_RE.test(raw) || Number.isNaN(Date.parse(`${raw}T00:00:00Z`))) {
    throw new ConfigError(name, `${name}="${raw}" must be a date YYYY-MM-DD`);
  }
  return raw;
}

/** Which backends to use: local unless a cloud variable is set, and then all of them must be. */
export function backendConfigFromEnv(env: Env = process.env): BackendConfig {
  const cloudSet = CLOUD_TRIGGER_VARS.filter((n) => value(env, n) !== undefined);
  if (cloudSet.length === 0) {
    return {
      kind: "local",
      dataDir: path.resolve(value(env, FUNCTION_ENV.localDataDir) ?? CONFIG_DEFAULTS.localDataDir),
    };
  }
  const missing = CLOUD_REQUIRED_VARS.filter((n) => value(env, n) === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      missing[0]!,
      `Cloud backends are half-configured: ${cloudSet.join(", ")} set but ${missing.join(", ")} ` +
        `missing. Set ${missing.join(", ")}, or unset ${cloudSet.join(", ")} to run locally.`,
    );
  }
  for (const name of [
    FUNCTION_ENV.rawDataset,
    FUNCTION_ENV.martsDataset,
    FUNCTION_ENV.snapshotsDataset,
  ]) {
    if (!DATASET_RE.test(value(env, name)!)) {
      throw new ConfigError(name, `${name} must hold letters, digits and underscores only`);
    }
  }
  return {
    kind: "cloud",
    project: value(env, FUNCTION_ENV.project)!,
    bucket: value(env, FUNCTION_ENV.lakeBucket)!,
    location: value(env, FUNCTION_ENV.bigQueryLocation)!,
    datasets: {
      raw: value(env, FUNCTION_ENV.rawDataset)!,
      marts: value(env, FUNCTION_ENV.martsDataset)!,
      snapshots: value(env, FUNCTION_ENV.snapshotsDataset)!,
    },
  };
}

/** The generator defaults and the backfill cap of the deployed configuration. */
export function generatorDefaultsFromEnv(env: Env = process.env): GeneratorDefaults {
  const startDate = dateVar(env, FUNCTION_ENV.generatorStartDate) ?? CONFIG_DEFAULTS.startDate;
  const worldVars = [
    FUNCTION_ENV.generatorSeed,
    FUNCTION_ENV.generatorUsers,
    FUNCTION_ENV.generatorStartDate,
  ];
  return {
    seed: intVar(env, FUNCTION_ENV.generatorSeed, CONFIG_DEFAULTS.seed, 0, 2 ** 31 - 1),
    users: intVar(
      env,
      FUNCTION_ENV.generatorUsers,
      CONFIG_DEFAULTS.users,
      USERS_BOUNDS.min,
      USERS_BOUNDS.max,
    ),
    startDate,
    explicit: worldVars.some((name) => value(env, name) !== undefined),
    maxBackfillDays: intVar(
      env,
      FUNCTION_ENV.maxBackfillDays,
      CONFIG_DEFAULTS.maxBackfillDays,
      1,
      366,
    ),
  };
}

/** Everything a function needs from its environment, parsed once with errors naming the variable. */
export function functionConfigFromEnv(env: Env = process.env): FunctionConfig {
  return { backend: backendConfigFromEnv(env), generator: generatorDefaultsFromEnv(env) };
}
