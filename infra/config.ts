import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { USERS_BOUNDS } from "../functions/src/backends/fromEnv";
import { MARTS } from "../functions/src/marts/catalog";
import { deployEnvironmentOf } from "./deployEnvironments";
import { datasetSuffix, isPreviewStack } from "./stackName";

/** The Pulumi project name; config keys are `ecommerce-analytics:<key>`. */
export const PROJECT_NAME = "ecommerce-analytics";

/** Regions where gen2 Cloud Functions and Cloud Scheduler both run. */
export const REGIONS = [
  "us-central1",
  "us-east1",
  "us-east4",
  "us-west1",
  "northamerica-northeast1",
  "southamerica-east1",
  "europe-west1",
  "europe-west2",
  "europe-west3",
  "europe-west4",
  "europe-north1",
  "asia-northeast1",
  "asia-southeast1",
  "australia-southeast1",
] as const;

/**
 * BigQuery locations the stack accepts. The datasets, the lake bucket and every scheduled query
 * share one location (a scheduled query must run where its dataset lives), so one key sets all.
 */
export const LOCATIONS = ["US", "EU", ...REGIONS] as const;

/** Scale a preview stack generates unless its config says otherwise: enough rows for every mart. */
export const PREVIEW_DEFAULT_USERS = 1_000;

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const PROJECT_RE = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const MEMBER_RE = /^(user|group|domain|serviceAccount):[^\s:]+$/;

const ScheduleConfig = z
  .object({
    /** UTC time Cloud Scheduler starts the nightly workflow (for the day before). */
    runTime: z.string().regex(TIME_RE, "expected HH:MM (UTC, 24-hour)").default("02:00"),
    /**
     * Missing days the nightly workflow catches up one by one (after a missed night); more is
     * refused with a pointer to the backfill workflow, which loads a range in bulk.
     */
    maxCatchUpDays: z.coerce.number().int().min(1).max(31).default(7),
  })
  .strict();

const GeneratorConfig = z
  .object({
    seed: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(42),
    /** Users in the simulated shop; defaults to the reference scale, smaller on previews. */
    users: z.coerce.number().int().min(USERS_BOUNDS.min).max(USERS_BOUNDS.max).optional(),
    startDate: z
      .string()
      .regex(DATE_RE, "expected YYYY-MM-DD")
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "not a calendar date")
      .default("2024-01-01"),
    maxBackfillDays: z.coerce.number().int().min(1).max(366).default(31),
  })
  .strict();

const LakeConfig = z
  .object({
    /** Raw files move to Nearline after this many days: they are read once by the load. */
    rawNearlineAfterDays: z.coerce.number().int().min(1).default(30),
    /** Raw files are deleted after this many days; the warehouse keeps the loaded rows. */
    rawDeleteAfterDays: z.coerce.number().int().min(2).default(400),
    /** Overwritten object versions are kept this long, so a bad re-run can be undone. */
    noncurrentVersionDays: z.coerce.number().int().min(1).default(7),
  })
  .strict()
  .refine((l) => l.rawDeleteAfterDays > l.rawNearlineAfterDays, {
    message: "rawDeleteAfterDays must be greater than rawNearlineAfterDays",
    path: ["rawDeleteAfterDays"],
  });

/** The raw config, keyed as in `Pulumi.<stack>.yaml` (without the namespace). */
const RawStackConfig = z.object({
  project: z.string({ error: "required" }).regex(PROJECT_RE, "not a Google Cloud project id"),
  region: z.enum(REGIONS).default("us-central1"),
  location: z.enum(LOCATIONS).default("US"),
  schedule: ScheduleConfig.default(ScheduleConfig.parse({})),
  generator: GeneratorConfig.default(GeneratorConfig.parse({})),
  lake: LakeConfig.default(LakeConfig.parse({})),
  /** IAM members (`group:`, `user:`, `domain:`, `serviceAccount:`) who read marts and snapshots. */
  biReaders: z
    .array(z.string().regex(MEMBER_RE, "expected group:|user:|domain:|serviceAccount:<id>"))
    .default([]),
  /** Where alerts go. Unset on previews by default, so a PR does not page anyone. */
  alertEmail: z.email().optional(),
  /**
   * Looker Studio template report per mart (mart name -> report id), each built on that mart so
   * its charts use the mart's own fields. A mart without one links to Looker Studio's default
   * report on its table.
   */
  lookerStudioTemplates: z
    .record(z.string(), z.string().regex(/^[\w-]+$/, "expected a Looker Studio report id"))
    .default({})
    .superRefine((templates, ctx) => {
      for (const mart of Object.keys(templates)) {
        if (!MARTS.some((m) => m.name === mart))
          ctx.addIssue({
            code: "custom",
            path: [mart],
            message: `no mart is named ${mart} (known: ${MARTS.map((m) => m.name).join(", ")})`,
          });
      }
    }),
  /**
   * Bytes one check or mart query may bill; a query that would bill more fails before running.
   * Defaults from the scale (`defaultMaximumBytesBilled`).
   */
  maximumBytesBilled: z.coerce
    .number()
    .int()
    .min(10 * 2 ** 20)
    .optional(),
  /** An optional monthly budget on the project, alerting at each threshold (billing account in config). */
  budget: z
    .object({
      billingAccount: z
        .string()
        .regex(/^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/, "expected XXXXXX-XXXXXX-XXXXXX"),
      monthlyAmount: z.coerce.number().positive(),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/)
        .default("USD"),
      thresholds: z.array(z.coerce.number().positive().max(2)).min(1).default([0.5, 0.9, 1]),
    })
    .strict()
    .optional(),
  /**
   * Lift deletion protection on a dev/prod stack so `pulumi destroy` can remove it with its data
   * (set it, `pulumi up`, then `pulumi destroy`). Preview stacks are always destroyable.
   */
  allowDestroy: z
    .union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")])
    .default(false),
});

/** Where each raw config key lives in Pulumi config: provider keys belong to `gcp:`. */
const NAMESPACE: Record<string, string> = { project: "gcp", region: "gcp" };

/** The validated configuration of one stack, with everything derived from the stack name. */
export interface StackConfig extends Omit<
  z.infer<typeof RawStackConfig>,
  "generator" | "maximumBytesBilled"
> {
  readonly stack: string;
  readonly isPreview: boolean;
  /** Previews always; other stacks only with `allowDestroy`. */
  readonly destroyable: boolean;
  readonly generator: z.infer<typeof GeneratorConfig> & { users: number };
  /** Dataset ids of this stack, suffixed by its name so no two stacks of a project collide. */
  readonly datasets: { raw: string; marts: string; snapshots: string };
  /** The `env` label: `preview` for PR stacks, else the stack name. */
  readonly envLabel: string;
  /** The deploy environment (`deployEnvironments.ts`): `preview` for PR stacks, else the stack. */
  readonly deployEnvironment: string;
  readonly maximumBytesBilled: number;
}

/** Raw bytes per user at reference scale: ~0.6 GB of raw tables for 30,000 users. */
const RAW_BYTES_PER_USER = 20_000;

/**
 * The default cap on one query's billed bytes: five times the whole raw warehouse the scale
 * implies (a check or mart reads at most all raw tables, a few times over), rounded up to GiB.
 * Reference scale (30,000 users) gives 3 GiB; the largest scale (5,000,000 users) 466 GiB.
 */
export function defaultMaximumBytesBilled(users: number): number {
  const gib = 2 ** 30;
  return Math.max(1, Math.ceil((5 * users * RAW_BYTES_PER_USER) / gib)) * gib;
}

/** A config error whose message starts with the full key (`ecommerce-analytics:generator.users`). */
export class StackConfigError extends Error {
  constructor(
    readonly keys: string[],
    message: string,
  ) {
    super(message);
    this.name = "StackConfigError";
  }
}

/** The fully qualified config key of a zod issue path. */
export function configKey(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  if (head === undefined) return `${PROJECT_NAME}:<root>`;
  const ns = NAMESPACE[head] ?? PROJECT_NAME;
  return `${ns}:${[head, ...rest].join(".")}`;
}

/** Dataset ids for a stack: `raw`, `marts`, `snapshots`, suffixed by the stack (`raw_dev`). */
export function datasetIdsFor(stack: string): StackConfig["datasets"] {
  const suffix = datasetSuffix(stack);
  return { raw: `raw${suffix}`, marts: `marts${suffix}`, snapshots: `snapshots${suffix}` };
}

/**
 * Validates raw config values for a stack. Pure, so tests need no Pulumi runtime. Every problem
 * is reported at once, each prefixed with its key, so one failed `pulumi up` says all there is to fix.
 */
export function parseStackConfig(raw: Record<string, unknown>, stack: string): StackConfig {
  const result = RawStackConfig.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${configKey(i.path)}: ${i.message}`);
    const keys = [...new Set(result.error.issues.map((i) => configKey(i.path)))];
    throw new StackConfigError(
      keys,
      `Invalid stack config for "${stack}":\n  ${lines.join("\n  ")}`,
    );
  }
  const c = result.data;
  const isPreview = isPreviewStack(stack);
  const users = c.generator.users ?? (isPreview ? PREVIEW_DEFAULT_USERS : 30_000);
  return {
    ...c,
    stack,
    isPreview,
    destroyable: isPreview || c.allowDestroy,
    generator: { ...c.generator, users },
    datasets: datasetIdsFor(stack),
    envLabel: isPreview ? "preview" : stack,
    deployEnvironment: deployEnvironmentOf(stack),
    maximumBytesBilled: c.maximumBytesBilled ?? defaultMaximumBytesBilled(users),
  };
}

const OBJECT_KEYS = [
  "schedule",
  "generator",
  "lake",
  "biReaders",
  "lookerStudioTemplates",
  "budget",
] as const;
const STRING_KEYS = ["location", "alertEmail", "allowDestroy", "maximumBytesBilled"] as const;

/**
 * Reads this stack's config from Pulumi once. Structured keys (`schedule`, `generator`, `lake`,
 * `biReaders`, `lookerStudioTemplates`, `budget`) are YAML objects/lists in `Pulumi.<stack>.yaml`;
 * the rest are plain strings.
 */
export function loadStackConfig(): StackConfig {
  const cfg = new pulumi.Config(PROJECT_NAME);
  const gcp = new pulumi.Config("gcp");
  const raw: Record<string, unknown> = { project: gcp.get("project"), region: gcp.get("region") };
  for (const key of STRING_KEYS) raw[key] = cfg.get(key);
  for (const key of OBJECT_KEYS) {
    const text = cfg.get(key);
    if (text === undefined) continue;
    try {
      raw[key] = JSON.parse(text);
    } catch {
      throw new StackConfigError(
        [configKey([key])],
        `${configKey([key])}: expected a YAML object or list`,
      );
    }
  }
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  return parseStackConfig(raw, pulumi.getStack());
}
