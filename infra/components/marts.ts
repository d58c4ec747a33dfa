import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { MartDeclaration } from "../../functions/src/marts/catalog";
import type { DatasetName } from "../../functions/src/sql/render";
import { dependencyLevels, scheduledQueryParams } from "../martSchedule";
import { serviceAccountId } from "../names";

export interface MartsArgs {
  project: string;
  stack: string;
  location: string;
  datasets: Record<DatasetName, gcp.bigquery.Dataset>;
  /** The marts to schedule (see `isScheduledQueryMart`). */
  marts: readonly MartDeclaration[];
  /** A mart's SQL with the stack's dataset ids rendered in. */
  renderedSql: (decl: MartDeclaration) => string;
  /** Names of the marts a mart reads (a cycle among them is refused). */
  dependencies: (decl: MartDeclaration) => readonly string[];
  /**
   * Each mart's destination table by mart name (Warehouse.martTables): created first, so the
   * query writes into it and keeps its partitioning, clustering and deletion protection.
   */
  destinationTables: Readonly<Record<string, pulumi.Resource>>;
  /** The BigQuery Data Transfer service agent (see ProjectServices). */
  dataTransferAgent: gcp.projects.ServiceIdentity;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * One BigQuery scheduled query per mart, run by a dedicated service account that reads `raw`
 * (and `snapshots`) and writes only the datasets its marts land in. The Data Transfer service
 * agent must be able to mint tokens for that account, or every run fails with a permission
 * error. Each query is created after its destination table, which the Warehouse pre-creates with
 * the mart's schema, partitioning and clustering.
 *
 * The queries have no schedule of their own (`disableAutoScheduling`): the nightly workflow
 * starts each, in dependency order, after the load and the checks, for the data day it loaded.
 * A clock-driven schedule would run a mart on partial data after a slow load, and give one mart
 * two run dates. They stay scheduled queries so they are visible, and runnable by hand, on
 * BigQuery's scheduled-queries page.
 */
export class Marts extends pulumi.ComponentResource {
  readonly runner: gcp.serviceaccount.Account;
  readonly configs: Record<string, gcp.bigquery.DataTransferConfig>;
  /** The marts in the order the workflow runs them (each after the marts it reads). */
  readonly order: string[];

  constructor(name: string, args: MartsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ecommerce:analytics:Marts", name, {}, opts);
    const untabled = args.marts.filter((m) => !args.destinationTables[m.name]).map((m) => m.name);
    if (untabled.length > 0) {
      throw new Error(
        `Marts without a destination table: ${untabled.join(", ")}; the Warehouse creates one per mart`,
      );
    }
    const child = { parent: this, dependsOn: args.dependsOn };
    this.runner = new gcp.serviceaccount.Account(
      `${name}-runner`,
      {
        project: args.project,
        accountId: serviceAccountId("mart-runner", args.stack),
        displayName: `Scheduled mart queries (${args.stack})`,
        description: "Runs the BigQuery scheduled queries that refresh the marts.",
      },
      child,
    );
    const runnerMember = pulumi.interpolate`serviceAccount:${this.runner.email}`;
    const written = new Set(args.marts.map((m) => m.dataset));
    const grants: pulumi.Resource[] = [];
    for (const logical of ["raw", "marts", "snapshots"] as const) {
      const role = written.has(logical as MartDeclaration["dataset"])
        ? "roles/bigquery.dataEditor"
        : "roles/bigquery.dataViewer";
      grants.push(
        new gcp.bigquery.DatasetIamMember(
          `${name}-runner-${logical}`,
          {
            project: args.project,
            datasetId: args.datasets[logical].datasetId,
            role,
            member: runnerMember,
          },
          child,
        ),
      );
    }
    grants.push(
      new gcp.projects.IAMMember(
        `${name}-runner-jobuser`,
        { project: args.project, role: "roles/bigquery.jobUser", member: runnerMember },
        child,
      ),
      new gcp.serviceaccount.IAMMember(
        `${name}-dts-token-creator`,
        {
          serviceAccountId: this.runner.name,
          role: "roles/iam.serviceAccountTokenCreator",
          member: args.dataTransferAgent.member,
        },
        child,
      ),
    );

    const byName = new Map(args.marts.map((m) => [m.name, m]));
    const levels = dependencyLevels([...byName.keys()], (n) => args.dependencies(byName.get(n)!));
    this.order = [...byName.keys()].sort((a, b) => levels[a]! - levels[b]!);
    this.configs = {};
    for (const decl of args.marts) {
      const table = args.destinationTables[decl.name]!;
      this.configs[decl.name] = new gcp.bigquery.DataTransferConfig(
        `${name}-${decl.name}`,
        {
          project: args.project,
          location: args.location,
          displayName: `${decl.name} (${args.stack})`,
          dataSourceId: "scheduled_query",
          // Started only by the nightly and backfill workflows (startManualRuns), or by hand.
          scheduleOptions: { disableAutoScheduling: true },
          destinationDatasetId: args.datasets[decl.dataset].datasetId,
          serviceAccountName: this.runner.email,
          params: scheduledQueryParams(decl, args.renderedSql(decl)),
        },
        {
          parent: this,
          dependsOn: [
            ...grants,
            table,
            ...(args.dependsOn ?? []),
          ] as pulumi.Input<pulumi.Resource>[],
        },
      );
    }
    this.registerOutputs({
      runnerEmail: this.runner.email,
      configNames: Object.fromEntries(Object.entries(this.configs).map(([k, v]) => [k, v.name])),
    });
  }
}
