import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import { MARTS, sqlMartReferences, type MartDeclaration } from "../functions/src/marts/catalog";
import { renderMartParameters } from "../functions/src/marts/martParameters";
import { renderDatasets } from "../functions/src/sql/render";
import { readSql } from "../functions/src/sql/sqlFiles";
import { lookerStudioUrl, tableauConnection } from "./biLinks";
import { Access } from "./components/access";
import { Functions } from "./components/functions";
import { Lake } from "./components/lake";
import { Marts } from "./components/marts";
import { Monitoring } from "./components/monitoring";
import { ProjectServices } from "./components/projectServices";
import { Warehouse } from "./components/warehouse";
import type { StackConfig } from "./config";
import { addMinutes, isScheduledQueryMart } from "./martSchedule";
import { functionSource } from "./packaging/functionSource";

/** The checkout root: the function archive and the SQL files are read from here. */
export const REPO_ROOT = resolve(__dirname, "..");

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
      isPreview: config.isPreview,
      destroyable: config.destroyable,
      labels,
      previewTableExpirationDays: config.previewTableExpirationDays,
      marts,
    },
    ready,
  );

  const scheduled = marts.filter(isScheduledQueryMart);
  const sqlOf = (decl: MartDeclaration) => read(decl.file);
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
      dependencies: (decl) => sqlMartReferences(sqlOf(decl)).filter((n) => n !== decl.name),
      firstRunTime: addMinutes(config.schedule.loadTime, config.schedule.martsAfterMinutes),
      minutesPerLevel: config.schedule.minutesPerMartLevel,
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
      source: functionSource(root),
      generator: config.generator,
      runTimes: {
        generateData: config.schedule.loadTime,
        refreshRfmSnapshot: addMinutes(config.schedule.loadTime, config.schedule.rfmAfterMinutes),
      },
      labels,
    },
    ready,
  );

  new Access("bi-readers", {
    project: config.project,
    readers: config.biReaders,
    readableDatasets: { marts: warehouse.datasets.marts, snapshots: warehouse.datasets.snapshots },
    grantJobUser: !config.isPreview,
  });

  if (config.alertEmail) {
    new Monitoring(
      "monitoring",
      {
        project: config.project,
        stack: config.stack,
        alertEmail: config.alertEmail,
        functionServiceNames: Object.values(functions.functions).map((f) => f.name),
        transferConfigNames: Object.values(martsComponent.configs).map((c) => c.name),
      },
      ready,
    );
  } else if (!config.isPreview) {
    pulumi.log.warn(
      `No ecommerce-analytics:alertEmail on stack ${config.stack}: failed nightly runs will not alert anyone`,
    );
  }

  const martTables = marts.map((m) => ({ dataset: config.datasets[m.dataset], table: m.name }));
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
    },
    invokerServiceAccount: functions.invoker.email,
    scheduledQueryNames: Object.fromEntries(
      Object.entries(martsComponent.configs).map(([mart, cfg]) => [mart, cfg.name]),
    ) as Record<string, pulumi.Output<string>>,
    scheduledQueryRunTimes: martsComponent.runTimes,
    lookerStudioUrls: Object.fromEntries(
      martTables.map((t) => [
        t.table,
        lookerStudioUrl({ project: config.project, ...t }, config.lookerStudioTemplateReportId),
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
