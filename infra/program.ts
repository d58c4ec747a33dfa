import type * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import { nightlyChain } from "../functions/src/chain/nightlyChain";
import { listChecks } from "../functions/src/checks";
import {
  MARTS,
  martsInDependencyOrder,
  sqlMartReferences,
  type MartDeclaration,
} from "../functions/src/marts/catalog";
import { queryParameters, renderDatasets } from "../functions/src/sql/render";
import { renderMartParameters } from "../functions/src/marts/martParameters";
import { readSql } from "../functions/src/sql/sqlFiles";
import { backfillPlan, DEFAULT_LIMITS } from "./backfill/plan";
import { lookerStudioUrl, tableauConnection } from "./biLinks";
import { Access } from "./components/access";
import { Budget } from "./components/budget";
import { CHAIN_FUNCTIONS, Functions } from "./components/functions";
import { Lake } from "./components/lake";
import { Marts } from "./components/marts";
import { Monitoring } from "./components/monitoring";
import { Orchestration } from "./components/orchestration";
import { OrdersIntake } from "./components/ordersIntake";
import { ProjectServices } from "./components/projectServices";
import { Warehouse } from "./components/warehouse";
import type { StackConfig } from "./config";
import { builderEmail, transferRunnerRole } from "./deployerRoles";
import { isScheduledQueryMart } from "./martSchedule";
import { committedMartSchemas, martTableFields } from "./martTableSchemas";
import { functionSource } from "./packaging/functionSource";
import { backfillWorkflow, type PerDateMart } from "./workflows/backfillWorkflow";
import { nightlyWorkflow } from "./workflows/nightlyWorkflow";
import { workflowSource, type JobContext } from "./workflows/steps";

/** The checkout root: the function archive and the SQL files are read from here. */
export const REPO_ROOT = resolve(__dirname, "..");

/** Events a day per user at reference scale: ~1.8M events from 30,000 users over two years. */
const EVENTS_PER_USER_DAY = 1_800_000 / 30_000 / 730;

/** Hours without a new `raw.events` partition before the missing-day alert: a night and slack. */
export const MISSING_DAY_HOURS = 26;

export interface ProgramOptions {
  /** The mart declarations; the catalog's unless a test passes its own. */
  marts?: readonly MartDeclaration[];
  /** Reads a mart's SQL file (`marts/x.sql`); `readSql` unless a test passes its own. */
  readSql?: (file: string) => string;
  /** Checkout root holding functions/, sql/ and package.json. */
  repoRoot?: string;
}

/**
 * The whole cloud side of the stack, composed from its components. Everything varies by the
 * validated config alone (preview behaviour included), so a test runs the same program under
 * mocks for any stack.
 */
export function buildStack(config: StackConfig, options: ProgramOptions = {}) {
  const marts = options.marts ?? MARTS;
  const read = options.readSql ?? readSql;
  const root = options.repoRoot ?? REPO_ROOT;
  const labels = {
    app: "ecommerce-analytics",
    env: config.envLabel,
    stack: config.stack.toLowerCase().replace(/[^a-z0-9_-]/g, "-"),
  };

  const services = new ProjectServices("services", { project: config.project });
  const ready = { dependsOn: services.ready };

  const lake = new Lake(
    "lake",
    {
      project: config.project,
      stack: config.stack,
      location: config.location,
      destroyable: config.destroyable,
      labels,
      ...config.lake,
    },
    ready,
  );

  const warehouse = new Warehouse(
    "warehouse",
    {
      project: config.project,
      location: config.location,
      datasetIds: config.datasets,
      destroyable: config.destroyable,
      labels,
      marts,
    },
    ready,
  );

  const scheduled = marts.filter(isScheduledQueryMart);
  const sqlOf = (decl: MartDeclaration) => read(decl.file);
  const dependencies = (decl: MartDeclaration) =>
    sqlMartReferences(sqlOf(decl)).filter((n) => n !== decl.name);
  const martsComponent = new Marts(
    "marts",
    {
      project: config.project,
      stack: config.stack,
      location: config.location,
      datasets: warehouse.datasets,
      destinationTables: warehouse.martTables,
      marts: scheduled,
      // The mart parameters travel inside the query text: a scheduled query binds only @run_date
      // and @run_time (https://cloud.google.com/bigquery/docs/scheduling-queries).
      renderedSql: (decl) => renderDatasets(renderMartParameters(sqlOf(decl)), config.datasets),
      dependencies,
      dataTransferAgent: services.dataTransferAgent,
    },
    ready,
  );

  const functions = new Functions(
    "functions",
    {
      project: config.project,
      region: config.region,
      stack: config.stack,
      location: config.location,
      lakeBucket: lake.bucket,
      sourceBucket: lake.sourceBucket,
      datasets: warehouse.datasets,
      runRecordTable: warehouse.metaTables.pipeline_runs,
      source: functionSource(root),
      generator: config.generator,
      builderEmail: builderEmail(config.project, config.deployEnvironment),
      labels,
    },
    ready,
  );

  const intake = new OrdersIntake(
    "orders-intake",
    {
      project: config.project,
      region: config.region,
      stack: config.stack,
      labels,
      lakeBucket: lake.bucket,
      loadOrders: functions.functions.loadOrders,
      pubsubAgent: services.pubsubAgent,
    },
    ready,
  );

  // One definition of the chain: the workflows are generated from it (and tested against it).
  const chain = nightlyChain(
    martsInDependencyOrder(marts, dependencies),
    listChecks(),
    dependencies,
  );
  const jobs: JobContext = {
    project: config.project,
    location: config.location,
    datasets: config.datasets,
    maximumBytesBilled: config.maximumBytesBilled,
  };
  const martsUsingRunDate = scheduled
    .filter((m) => queryParameters(sqlOf(m)).includes("run_date"))
    .map((m) => m.name);
  const schemas = committedMartSchemas();
  const perDateMarts: PerDateMart[] = scheduled
    .filter((m) => m.materialization.kind === "partition" && m.partitioning)
    .map((m) => ({
      name: m.name,
      dataset: "marts",
      partitionColumn: m.partitioning!.column,
      columns: martTableFields(m, schemas).map((f) => f.name),
      // With the mart parameters in, as the scheduled queries run it.
      sql: renderMartParameters(sqlOf(m)),
      dependsOn: dependencies(m),
    }));
  // The backfill's shape at this scale (infra/backfill/plan.ts); the range is the workflow's.
  const plan = backfillPlan(
    config.generator.startDate,
    config.generator.startDate,
    { eventsPerDay: config.generator.users * EVENTS_PER_USER_DAY },
    { ...DEFAULT_LIMITS, maxDaysPerChunk: config.generator.maxBackfillDays },
  );
  const orchestration = new Orchestration(
    "orchestration",
    {
      project: config.project,
      region: config.region,
      stack: config.stack,
      labels,
      destroyable: config.destroyable,
      datasets: warehouse.datasets,
      runRecordTable: warehouse.metaTables.pipeline_runs,
      functions: Object.fromEntries(
        CHAIN_FUNCTIONS.map((n) => [n, functions.functions[n]]),
      ) as Record<(typeof CHAIN_FUNCTIONS)[number], gcp.cloudfunctionsv2.Function>,
      transferConfigs: martsComponent.configs,
      runTime: config.schedule.runTime,
      transferRunnerRole: transferRunnerRole(config.project),
      sources: {
        nightly: ({ martConfigNames, functionUrls }) =>
          workflowSource(
            nightlyWorkflow({
              ...jobs,
              chain,
              checks: listChecks(),
              martConfigNames,
              martsUsingRunDate,
              functionUrls,
              worldStart: config.generator.startDate,
              maxCatchUpDays: config.schedule.maxCatchUpDays,
            }),
          ),
        backfill: ({ martConfigNames, functionUrls }) =>
          workflowSource(
            backfillWorkflow({
              ...jobs,
              chain,
              checks: listChecks(),
              martConfigNames,
              martsUsingRunDate,
              perDateMarts,
              functionUrls,
              worldStart: config.generator.startDate,
              chunkDays: plan.chunkDays,
              shardCount: plan.shardCount,
              lakeConcurrency: 8,
            }),
          ),
      },
    },
    ready,
  );

  new Access("bi-readers", {
    project: config.project,
    stack: config.stack,
    readers: config.biReaders,
    readableDatasets: { marts: warehouse.datasets.marts, snapshots: warehouse.datasets.snapshots },
    grantJobUser: !config.isPreview,
  });

  let monitoring: Monitoring | undefined;
  if (config.alertEmail) {
    monitoring = new Monitoring(
      "monitoring",
      {
        project: config.project,
        stack: config.stack,
        alertEmail: config.alertEmail,
        functionServiceNames: Object.values(functions.functions).map((f) => f.name),
        transferConfigNames: Object.values(martsComponent.configs).map((c) => c.name),
        workflowNames: Object.values(orchestration.workflows).map((w) => w.name),
        schedulerJobNames: [orchestration.job.name],
        rawDatasetId: config.datasets.raw,
        freshnessTable: "events",
        missingDayHours: MISSING_DAY_HOURS,
      },
      ready,
    );
  } else if (!config.isPreview) {
    pulumi.log.warn(
      `No ecommerce-analytics:alertEmail on stack ${config.stack}: failed nightly runs will not alert anyone`,
    );
  }

  if (config.budget) {
    new Budget(
      "budget",
      {
        project: config.project,
        stack: config.stack,
        ...config.budget,
        notificationChannels: monitoring ? [monitoring.channel.name] : [],
      },
      ready,
    );
  }

  const martTables = marts.map((m) => ({
    dataset: config.datasets[m.dataset],
    table: m.name,
    template: config.lookerStudioTemplates[m.name],
  }));
  return {
    project: config.project,
    isPreview: config.isPreview,
    lakeBucket: lake.bucket.name,
    functionSourceBucket: lake.sourceBucket.name,
    functionSourceObject: functions.sourceObject.name,
    datasets: config.datasets,
    functionUrls: {
      generateData: functions.functions.generateData.url,
      refreshRfmSnapshot: functions.functions.refreshRfmSnapshot.url,
      refreshStatTests: functions.functions.refreshStatTests.url,
      refreshClvSnapshot: functions.functions.refreshClvSnapshot.url,
      loadOrders: functions.functions.loadOrders.url,
    },
    workflows: {
      nightly: orchestration.workflows.nightly.name,
      backfill: orchestration.workflows.backfill.name,
    },
    ordersIncoming: pulumi.interpolate`gs://${lake.bucket.name}/incoming/`,
    ordersIncomingSubscription: intake.subscription.name,
    workflowRegion: config.region,
    worldStart: config.generator.startDate,
    orchestratorServiceAccount: orchestration.account.email,
    scheduledQueryNames: Object.fromEntries(
      Object.entries(martsComponent.configs).map(([mart, cfg]) => [mart, cfg.name]),
    ) as Record<string, pulumi.Output<string>>,
    scheduledQueryOrder: martsComponent.order,
    lookerStudioUrls: Object.fromEntries(
      martTables.map((t) => [
        t.table,
        lookerStudioUrl(
          { project: config.project, dataset: t.dataset, table: t.table },
          t.template,
        ),
      ]),
    ),
    tableau: tableauConnection(
      config.project,
      { marts: config.datasets.marts, snapshots: config.datasets.snapshots },
      marts.map((m) => m.name),
    ),
  };
}

export type StackOutputs = ReturnType<typeof buildStack>;
