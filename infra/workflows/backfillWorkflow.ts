/**
 * The backfill workflow: a stack's history in bulk, in the shape `infra/backfill/plan.ts`
 * computes and tests (chunks of days x user shards; a chunk's days loaded by one job per table).
 *
 * 1. lake: `generateData` with `stage: "lake"` for every (user shard, date chunk), in parallel
 *    branches (each writes only its shard's files);
 * 2. load: `stage: "load"` per chunk, in date order (a load never leaves a gap behind it);
 * 3. every data-quality check, once, over what was loaded;
 * 4. the per-date marts over the whole range, one query job each (a transaction replacing the
 *    range with the mart's rows for `@from_date`..`@run_date`);
 * 5. `refreshRfmSnapshot` at each month end in date order, and at the range's last day (the
 *    segment history is applied in date order), then `refreshClvSnapshot` at the last day;
 * 6. the table marts once, in the chain's order, for the last day;
 * 7. the significance tests (`refreshStatTests`) on those marts, for the last day;
 * then one run record (`run_kind` backfill). Without arguments it fills from the manifest's
 * `data_through` + 1 (or the world's first day) to yesterday.
 */
import type { ChainStep } from "../../functions/src/chain/nightlyChain";
import type { ChainFunctionUrls } from "./nightlyWorkflow";
import { renderDatasets } from "../../functions/src/sql/render";
import {
  checkSteps,
  clvSteps,
  martSteps,
  runCheckSubworkflow,
  runMartSubworkflow,
  statsSteps,
} from "./chainSteps";
import {
  countDaysSteps,
  initSteps,
  lastDayArgumentStep,
  readManifestSteps,
  recordedWorkSteps,
  refuseIncompleteDayStep,
} from "./runSteps";
import {
  dayPlus,
  daysFrom,
  expr,
  failedJobStep,
  functionCallStep,
  markStep,
  queryJobStep,
  queryParameter,
  recordRunSubworkflow,
  stepName,
  type JobContext,
  type Step,
} from "./steps";

/** A mart whose table holds one partition per date, refreshed over a range by the backfill. */
export interface PerDateMart {
  readonly name: string;
  readonly dataset: "marts";
  readonly partitionColumn: string;
  /** Its table's columns, in order (the committed output schema). */
  readonly columns: readonly string[];
  /** Its SQL with logical dataset names. */
  readonly sql: string;
  /** Marts it reads: the backfill runs per-date marts first, so it must read none. */
  readonly dependsOn: readonly string[];
}

export interface BackfillWorkflowArgs extends JobContext {
  readonly chain: readonly ChainStep[];
  readonly checks: readonly { name: string; sql: string }[];
  readonly martConfigNames: Readonly<Record<string, string>>;
  readonly martsUsingRunDate: readonly string[];
  readonly perDateMarts: readonly PerDateMart[];
  readonly functionUrls: ChainFunctionUrls;
  readonly worldStart: string;
  /** Days per `generateData` request (plan.chunkDays). */
  readonly chunkDays: number;
  /** User shards per chunk (plan.shardCount). */
  readonly shardCount: number;
  /** Lake calls in flight at once (at most the function's instances). */
  readonly lakeConcurrency: number;
}

/**
 * The multi-statement job that replaces a per-date mart's range: the mart's SQL yields one row
 * set per date from `@from_date` to `@run_date`, and the range is swapped in one transaction, so
 * a failure leaves the old days.
 */
export function rangeMartScript(mart: PerDateMart, datasets: JobContext["datasets"]): string {
  const table = `${datasets[mart.dataset]}.${mart.name}`;
  const columns = mart.columns.join(", ");
  const body = renderDatasets(mart.sql, datasets).trim().replace(/;\s*$/, "");
  return [
    `-- Replaces ${mart.name} for @from_date..@run_date (backfill).`,
    "begin transaction;",
    `delete from ${table} where ${mart.partitionColumn} between @from_date and @run_date;`,
    `insert into ${table} (${columns})`,
    `select ${columns} from (\n${body}\n);`,
    "commit transaction;",
  ].join("\n");
}

function perDateMartSteps(mart: PerDateMart, ctx: JobContext): Step {
  const id = stepName("mart", mart.name);
  return {
    [id]: {
      steps: [
        markStep(`${id}_mark`, `mart:${mart.name}`),
        queryJobStep(
          `${id}_range`,
          ctx,
          rangeMartScript(mart, ctx.datasets),
          [
            queryParameter("from_date", "DATE", expr("first_day")),
            queryParameter("run_date", "DATE", expr("last_day")),
          ],
          "range_job",
        ),
        failedJobStep(`${id}_failed`, "range_job"),
      ],
    },
  };
}

/** The backfill's steps after the manifest is read and the range is known, in order. */
export function backfillSteps(args: BackfillWorkflowArgs): Step[] {
  const perDate = new Map(args.perDateMarts.map((m) => [m.name, m]));
  for (const m of args.perDateMarts) {
    if (m.dependsOn.length > 0)
      throw new Error(
        `Per-date mart ${m.name} reads ${m.dependsOn.join(", ")}; the backfill runs per-date marts before the others`,
      );
  }
  const checks = new Map(args.checks.map((c) => [c.name, c]));
  const chainChecks = args.chain.filter((s) => s.kind === "check");
  const chainMarts = args.chain.filter((s) => s.kind === "mart");
  const tableMarts = chainMarts.filter((s) => !perDate.has(s.name));
  const chunkEnd = `text.substring(time.format(math.min(time.parse(${dayPlus("chunk_start", `chunk_days - 1`)} + "T00:00:00Z"), time.parse(last_day + "T00:00:00Z"))), 0, 10)`;
  return [
    markStep("lake_mark", "generate"),
    {
      lake: {
        parallel: {
          concurrency_limit: args.lakeConcurrency,
          for: {
            value: "k",
            range: [0, expr("chunk_count * shard_count - 1")],
            steps: [
              {
                lake_call_range: {
                  assign: [
                    {
                      chunk_start: expr(dayPlus("first_day", "int(k / shard_count) * chunk_days")),
                    },
                    { chunk_end: expr(chunkEnd) },
                  ],
                },
              },
              functionCallStep(
                "lake_call",
                args.functionUrls.generateData,
                {
                  startDate: expr("chunk_start"),
                  endDate: expr("chunk_end"),
                  shard: { index: expr("k % shard_count"), count: expr("shard_count") },
                  stage: "lake",
                },
                "lake_result",
              ),
            ],
          },
        },
      },
    },
    {
      load: {
        for: {
          value: "c",
          range: [0, expr("chunk_count - 1")],
          steps: [
            {
              load_range: {
                assign: [
                  { chunk_start: expr(dayPlus("first_day", "c * chunk_days")) },
                  { chunk_end: expr(chunkEnd) },
                ],
              },
            },
            functionCallStep(
              "load_call",
              args.functionUrls.generateData,
              { startDate: expr("chunk_start"), endDate: expr("chunk_end"), stage: "load" },
              "load_result",
            ),
          ],
        },
      },
    },
    ...chainChecks.map((c) => {
      const check = checks.get(c.name);
      if (!check) throw new Error(`The chain runs check ${c.name}, which has no SQL`);
      return checkSteps(check, args, expr("last_day"));
    }),
    ...args.perDateMarts.map((m) => perDateMartSteps(m, args)),
    markStep("snapshots_mark", "snapshot"),
    {
      snapshots: {
        for: {
          value: "i",
          range: [0, expr("day_count - 1")],
          steps: [
            { snapshot_day: { assign: [{ snapshot_date: expr(dayPlus("first_day", "i")) }] } },
            {
              month_end: {
                switch: [
                  {
                    condition: expr(
                      `text.substring(${dayPlus("snapshot_date", "1")}, 8, 10) == "01" or i == day_count - 1`,
                    ),
                    steps: [
                      functionCallStep(
                        "snapshot_call",
                        args.functionUrls.refreshRfmSnapshot,
                        { snapshotDate: expr("snapshot_date") },
                        "snapshot_result",
                      ),
                    ],
                  },
                ],
              },
            },
          ],
        },
      },
    },
    // The CLV fit of the last day only: one fit reads the whole history, and the predictions of
    // past month ends are not what anyone reads after a backfill.
    ...(args.chain.some((s) => s.kind === "clv")
      ? [clvSteps(args.functionUrls.refreshClvSnapshot, expr("last_day"))]
      : []),
    ...tableMarts.map((m) => {
      const configName = args.martConfigNames[m.name];
      if (!configName) throw new Error(`Mart ${m.name} has no scheduled query`);
      return martSteps(
        { name: m.name, configName, usesRunDate: args.martsUsingRunDate.includes(m.name) },
        expr("last_day"),
      );
    }),
    ...args.chain
      .filter((s) => s.kind === "stats")
      .map(() => statsSteps(args.functionUrls.refreshStatTests, expr("last_day"))),
  ];
}

/** The whole backfill workflow definition. */
export function backfillWorkflow(args: BackfillWorkflowArgs): Record<string, unknown> {
  return {
    main: {
      params: ["args"],
      steps: [
        ...initSteps(args.worldStart, [
          { chunk_days: args.chunkDays },
          { shard_count: args.shardCount },
        ]),
        ...readManifestSteps(args),
        lastDayArgumentStep("endDate"),
        {
          read_start: {
            switch: [
              {
                condition: expr(`"startDate" in args`),
                steps: [
                  {
                    refuse_gap: {
                      switch: [
                        {
                          condition: expr(`${daysFrom("first_day", "args.startDate")} > 0`),
                          raise: expr(
                            `"startDate " + args.startDate + " would leave a gap: the data reaches " + default(data_through, "no day yet") + ", so the next day to load is " + first_day`,
                          ),
                        },
                      ],
                    },
                  },
                  { take_start: { assign: [{ first_day: expr("args.startDate") }] } },
                ],
              },
            ],
          },
        },
        refuseIncompleteDayStep("endDate"),
        ...countDaysSteps([
          { chunk_count: expr(`int((day_count + chunk_days - 1) / chunk_days)`) },
        ]),
        ...recordedWorkSteps("backfill", "run_backfill", backfillSteps(args), expr("step")),
      ],
    },
    run_check: runCheckSubworkflow(args),
    run_mart: runMartSubworkflow(args),
    record_run: recordRunSubworkflow(args),
  };
}
