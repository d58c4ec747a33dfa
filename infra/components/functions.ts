import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { FUNCTION_ENV } from "../../functions/src/backends/fromEnv";
import type { DatasetName } from "../../functions/src/sql/render";
import { serviceAccountId, stackResourceName } from "../names";
import { runRecordWriter } from "./warehouse";
import type { FunctionSource } from "../packaging/functionSource";
import { FUNCTION_NAMES, type FunctionName } from "../../functions/src/functionNames";

/** The functions the nightly chain's workflows call (`loadOrders` is called by an upload). */
export const CHAIN_FUNCTIONS = [
  "generateData",
  "refreshRfmSnapshot",
  "refreshClvSnapshot",
  "refreshStatTests",
] as const;
export type ChainFunctionName = (typeof CHAIN_FUNCTIONS)[number];

/** The Node.js runtime the buildpack builds with. */
export const FUNCTION_RUNTIME = "nodejs22";

export interface FunctionsArgs {
  project: string;
  region: string;
  stack: string;
  location: string;
  lakeBucket: gcp.storage.Bucket;
  sourceBucket: gcp.storage.Bucket;
  datasets: Record<DatasetName, gcp.bigquery.Dataset>;
  /**
   * `snapshots.pipeline_runs`: every function call writes its own run record there, including
   * `generateData`, whose account otherwise touches only `raw`.
   */
  runRecordTable: gcp.bigquery.Table;
  /** Files, hash and object name of the source archive (infra/packaging). */
  source: FunctionSource;
  generator: {
    seed: number;
    users: number;
    startDate: string;
    maxBackfillDays: number;
  };
  /**
   * Email of the environment's build account, made by `scripts/bootstrap` with the project-level
   * reads a gen2 build needs (see `builderGrants` in deployerRoles.ts).
   */
  builderEmail: string;
  labels: Record<string, string>;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

interface FunctionSpec {
  /** Short name for accounts and resource names. */
  slug: string;
  description: string;
  memory: string;
  timeoutSeconds: number;
  maxInstances: number;
  /** Dataset roles, the least each job needs. */
  datasetRoles: Partial<Record<DatasetName, string>>;
  /** Role on the lake bucket, if the job touches the lake. */
  lakeRole?: string;
}

/**
 * Sized for the reference shop (30k users): a day's generation and load stays well under 2 GiB
 * with DuckDB's memory limit; a 31-day backfill chunk needs the long timeout. A workflow's HTTP
 * call waits at most 30 minutes, so that is the timeout too.
 */
const SPECS: Record<FunctionName, FunctionSpec> = {
  generateData: {
    slug: "gen-data",
    description: "Generates a day of the synthetic shop, writes the lake and loads raw partitions.",
    memory: "2Gi",
    timeoutSeconds: 1800,
    // The backfill fans out lake-writing calls over user shards and date chunks.
    maxInstances: 8,
    datasetRoles: { raw: "roles/bigquery.dataEditor" },
    lakeRole: "roles/storage.objectAdmin",
  },
  refreshRfmSnapshot: {
    slug: "rfm",
    description: "Writes the day's RFM snapshot partition and the segment history.",
    memory: "1Gi",
    timeoutSeconds: 900,
    maxInstances: 1,
    datasetRoles: {
      raw: "roles/bigquery.dataViewer",
      marts: "roles/bigquery.dataViewer",
      snapshots: "roles/bigquery.dataEditor",
    },
  },
  // Reads the marts (tens of thousands of rows at reference scale) and writes one small table;
  // the bootstrap and the jackknife of its BCa interval are the CPU, about a second each.
  refreshStatTests: {
    slug: "stats",
    description: "Runs the significance tests on the day's marts and replaces marts.dm_stat_tests.",
    memory: "1Gi",
    timeoutSeconds: 900,
    maxInstances: 1,
    datasetRoles: {
      marts: "roles/bigquery.dataEditor",
    },
  },
  // Reads every buyer's history (one query), fits in memory: 30,000 users fit in about a second,
  // so 1 GiB and the RFM step's timeout leave room for ten times the reference scale.
  refreshClvSnapshot: {
    slug: "clv",
    description: "Fits BG/NBD and Gamma-Gamma and writes the day's predicted CLV per buyer.",
    memory: "1Gi",
    timeoutSeconds: 900,
    maxInstances: 1,
    datasetRoles: {
      raw: "roles/bigquery.dataViewer",
      snapshots: "roles/bigquery.dataEditor",
    },
  },
  // Reads a file from the lake's incoming/ prefix into a private DuckDB, writes the lake's raw
  // files and loads them: the generator's sizing (a file of a few million lines fits in 2 GiB).
  loadOrders: {
    slug: "orders",
    description: "Loads an orders file from the lake's incoming/ prefix into the raw tables.",
    memory: "2Gi",
    timeoutSeconds: 1800,
    // One load at a time: two files would race for the same world manifest.
    maxInstances: 1,
    datasetRoles: { raw: "roles/bigquery.dataEditor" },
    lakeRole: "roles/storage.objectAdmin",
  },
};

const KEBAB: Record<FunctionName, string> = {
  generateData: "generate-data",
  refreshRfmSnapshot: "refresh-rfm-snapshot",
  refreshStatTests: "refresh-stat-tests",
  refreshClvSnapshot: "refresh-clv-snapshot",
  loadOrders: "load-orders",
};

/**
 * `generateData`, `refreshRfmSnapshot`, `refreshClvSnapshot`, `refreshStatTests` and `loadOrders`
 * as private gen2 functions built from one source archive, each with its own service account
 * holding roles on the datasets and bucket it uses (BigQuery job creation is the one
 * project-level grant: jobs cannot be granted per dataset). Nothing schedules them: the nightly
 * and backfill workflows call the chain's four, and the workflows' account is the one granted
 * `roles/run.invoker` on their services (see Orchestration); a file uploaded under the lake's
 * `incoming/` prefix calls `loadOrders` (see OrdersIntake).
 *
 * Builds run as the environment's build account (new projects no longer give the default compute
 * account what a build needs). This stack grants it only what is the stack's own: read on the
 * source bucket and write on the stack's image repository, which the functions name as their
 * `dockerRepository` instead of the project-wide `gcf-artifacts`.
 */
export class Functions extends pulumi.ComponentResource {
  readonly functions: Record<FunctionName, gcp.cloudfunctionsv2.Function>;
  readonly accounts: Record<FunctionName, gcp.serviceaccount.Account>;
  readonly imageRepository: gcp.artifactregistry.Repository;
  readonly sourceObject: gcp.storage.BucketObject;

  constructor(name: string, args: FunctionsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:Functions", name, {}, opts);
    const child = { parent: this, dependsOn: args.dependsOn };
    const account = (key: string, slug: string, displayName: string) =>
      new gcp.serviceaccount.Account(
        `${name}-${key}-sa`,
        { project: args.project, accountId: serviceAccountId(slug, args.stack), displayName },
        child,
      );

    const assets: Record<string, pulumi.asset.Asset> = {};
    for (const [path, content] of args.source.files) {
      assets[path] = new pulumi.asset.StringAsset(content.toString("utf8"));
    }
    this.sourceObject = new gcp.storage.BucketObject(
      `${name}-source`,
      {
        bucket: args.sourceBucket.name,
        name: args.source.objectName,
        source: new pulumi.asset.AssetArchive(assets),
        contentType: "application/zip",
      },
      child,
    );

    const builderMember = `serviceAccount:${args.builderEmail}`;
    this.imageRepository = new gcp.artifactregistry.Repository(
      `${name}-images`,
      {
        project: args.project,
        location: args.region,
        repositoryId: stackResourceName("fn-images", args.stack),
        format: "DOCKER",
        description: `Images of the ${args.stack} stack's functions.`,
        labels: args.labels,
      },
      child,
    );
    const buildGrants: pulumi.Resource[] = [
      new gcp.artifactregistry.RepositoryIamMember(
        `${name}-builder-images`,
        {
          project: args.project,
          location: args.region,
          repository: this.imageRepository.name,
          role: "roles/artifactregistry.writer",
          member: builderMember,
        },
        child,
      ),
      new gcp.storage.BucketIAMMember(
        `${name}-builder-sources`,
        {
          bucket: args.sourceBucket.name,
          role: "roles/storage.objectViewer",
          member: builderMember,
        },
        child,
      ),
    ];

    const env: Record<string, pulumi.Input<string>> = {
      [FUNCTION_ENV.project]: args.project,
      [FUNCTION_ENV.lakeBucket]: args.lakeBucket.name,
      [FUNCTION_ENV.bigQueryLocation]: args.location,
      [FUNCTION_ENV.rawDataset]: args.datasets.raw.datasetId,
      [FUNCTION_ENV.martsDataset]: args.datasets.marts.datasetId,
      [FUNCTION_ENV.snapshotsDataset]: args.datasets.snapshots.datasetId,
      [FUNCTION_ENV.generatorSeed]: String(args.generator.seed),
      [FUNCTION_ENV.generatorUsers]: String(args.generator.users),
      [FUNCTION_ENV.generatorStartDate]: args.generator.startDate,
      [FUNCTION_ENV.maxBackfillDays]: String(args.generator.maxBackfillDays),
    };

    this.functions = {} as Record<FunctionName, gcp.cloudfunctionsv2.Function>;
    this.accounts = {} as Record<FunctionName, gcp.serviceaccount.Account>;
    for (const fnName of FUNCTION_NAMES) {
      const spec = SPECS[fnName];
      const sa = account(spec.slug, spec.slug, `${fnName} (${args.stack})`);
      this.accounts[fnName] = sa;
      const member = pulumi.interpolate`serviceAccount:${sa.email}`;
      const grants: pulumi.Resource[] = [
        new gcp.projects.IAMMember(
          `${name}-${spec.slug}-jobuser`,
          { project: args.project, role: "roles/bigquery.jobUser", member },
          child,
        ),
      ];
      for (const [dataset, role] of Object.entries(spec.datasetRoles) as [DatasetName, string][]) {
        grants.push(
          new gcp.bigquery.DatasetIamMember(
            `${name}-${spec.slug}-${dataset}`,
            { project: args.project, datasetId: args.datasets[dataset].datasetId, role, member },
            child,
          ),
        );
      }
      if (!spec.datasetRoles.snapshots) {
        grants.push(
          runRecordWriter(
            `${name}-${spec.slug}-run-record`,
            { project: args.project, table: args.runRecordTable, member },
            child,
          ),
        );
      }
      if (spec.lakeRole) {
        grants.push(
          new gcp.storage.BucketIAMMember(
            `${name}-${spec.slug}-lake`,
            { bucket: args.lakeBucket.name, role: spec.lakeRole, member },
            child,
          ),
        );
      }

      const fn = new gcp.cloudfunctionsv2.Function(
        `${name}-${spec.slug}`,
        {
          project: args.project,
          location: args.region,
          name: stackResourceName(KEBAB[fnName], args.stack),
          description: spec.description,
          labels: args.labels,
          buildConfig: {
            runtime: FUNCTION_RUNTIME,
            entryPoint: fnName,
            serviceAccount: `projects/${args.project}/serviceAccounts/${args.builderEmail}`,
            dockerRepository: this.imageRepository.id,
            source: {
              storageSource: { bucket: args.sourceBucket.name, object: this.sourceObject.name },
            },
          },
          serviceConfig: {
            serviceAccountEmail: sa.email,
            availableMemory: spec.memory,
            timeoutSeconds: spec.timeoutSeconds,
            minInstanceCount: 0,
            maxInstanceCount: spec.maxInstances,
            maxInstanceRequestConcurrency: 1,
            ingressSettings: "ALLOW_ALL",
            allTrafficOnLatestRevision: true,
            environmentVariables: env,
          },
        },
        { parent: this, dependsOn: [...grants, ...buildGrants] },
      );
      this.functions[fnName] = fn;
    }
    this.registerOutputs({
      urls: Object.fromEntries(FUNCTION_NAMES.map((n) => [n, this.functions[n].url])),
      sourceObject: this.sourceObject.name,
    });
  }
}
