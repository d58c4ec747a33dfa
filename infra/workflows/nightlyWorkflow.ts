/**
 * The nightly workflow, generated from the one definition of the chain
 * (`functions/src/chain/nightlyChain.ts`), so its steps cannot drift from the local runner's.
 *
 * For each missing data day, from the manifest's `data_through` + 1 (or the world's first day)
 * to yesterday (or `lastDay`), in order: `generateData`, every data-quality check (stopping at
 * the first violation), every mart's scheduled query in dependency order with the RFM snapshot
 * where the chain places it. Then one run record for the whole execution. More missing days than
 * `maxCatchUpDays` is refused with a pointer to the backfill workflow: catching up a long gap day
 * by day would rebuild every table mart once per day.
 */
import type { ChainStep } from "../../functions/src/chain/nightlyChain";
import {
  checkSteps,
  generateSteps,
  martSteps,
  runCheckSubworkflow,
  runMartSubworkflow,
  snapshotSteps,
} from "./chainSteps";
import { dayPlus, daysFrom, expr, recordRunSubworkflow, type JobContext, type Step } from "./steps";

export interface NightlyWorkflowArgs extends JobContext {
  /** The chain, `nightlyChain()` unless a test passes its own. */
  readonly chain: readonly ChainStep[];
  /** Every check by name: its SQL with logical dataset names. */
  readonly checks: readonly { name: string; sql: string }[];
  /** Transfer config resource name of each scheduled mart. */
  readonly martConfigNames: Readonly<Record<string, string>>;
  /** Marts whose SQL reads `@run_date`. */
  readonly martsUsingRunDate: readonly string[];
  readonly functionUrls: { readonly generateData: string; readonly refreshRfmSnapshot: string };
  /** The world's first day: where a stack with no data yet starts. */
  readonly worldStart: string;
  readonly maxCatchUpDays: number;
}

/** The variable every chain step of the day subworkflow reads the data day from. */
export const DAY = expr("day");

/** The steps of one data day, in chain order (the record is written once, by `main`). */
export function dayStepsFromChain(args: NightlyWorkflowArgs): Step[] {
  const checks = new Map(args.checks.map((c) => [c.name, c]));
  const steps: Step[] = [];
  for (const step of args.chain) {
    switch (step.kind) {
      case "generate":
        steps.push(generateSteps(args.functionUrls.generateData, DAY));
        break;
      case "check": {
        const check = checks.get(step.name);
        if (!check) throw new Error(`The chain runs check ${step.name}, which has no SQL`);
        steps.push(checkSteps(check, args, DAY));
        break;
      }
      case "mart": {
        const configName = args.martConfigNames[step.name];
        if (!configName) throw new Error(`Mart ${step.name} has no scheduled query`);
        steps.push(
          martSteps(
            {
              name: step.name,
              configName,
              usesRunDate: args.martsUsingRunDate.includes(step.name),
            },
            DAY,
          ),
        );
        break;
      }
      case "snapshot":
        steps.push(snapshotSteps(args.functionUrls.refreshRfmSnapshot, DAY));
        break;
      case "record":
        break;
    }
  }
  return steps;
}

/** The `run_day` subworkflow: one data day; any failure is re-raised with the step's name. */
function runDaySubworkflow(args: NightlyWorkflowArgs): Record<string, unknown> {
  return {
    params: ["day"],
    steps: [
      { day_start: { assign: [{ step: "start" }] } },
      {
        day_chain: {
          try: { steps: dayStepsFromChain(args) },
          except: {
            as: "e",
            steps: [{ day_failed: { raise: { step: expr("step"), day: DAY, error: expr("e") } } }],
          },
        },
      },
      { day_done: { return: DAY } },
    ],
  };
}

/** Assigns `data_through` (null before any load) from the world manifest. */
export function readManifestSteps(ctx: JobContext): Step[] {
  const manifest = `${ctx.datasets.raw}.world_manifest`;
  return [
    {
      read_manifest: {
        call: "googleapis.bigquery.v2.jobs.query",
        args: {
          projectId: ctx.project,
          body: {
            query: `select cast(max(data_through) as string) as data_through from ${manifest}`,
            useLegacySql: false,
            location: ctx.location,
            timeoutMs: 60000,
          },
        },
        result: "manifest",
      },
    },
    // max() over the one-row table always returns a row; its value is null before any load.
    { manifest_value: { assign: [{ data_through: expr("manifest.rows[0].f[0].v") }] } },
  ];
}

/** The whole nightly workflow definition. */
export function nightlyWorkflow(args: NightlyWorkflowArgs): Record<string, unknown> {
  const record = (status: string, failedStep: string, error: string) => ({
    call: "record_run",
    args: {
      run_id: expr("run_id"),
      run_kind: "nightly",
      days_start: expr("first_day"),
      days_end: expr("last_day"),
      started_at: expr("started_at"),
      status,
      failed_step: failedStep,
      error,
    },
  });
  return {
    main: {
      params: ["args"],
      steps: [
        {
          init: {
            assign: [
              { started_at: expr("time.format(sys.now())") },
              { run_id: expr(`sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID")`) },
              { today: expr("text.substring(time.format(sys.now()), 0, 10)") },
              { last_day: expr(dayPlus("today", "-1")) },
              { world_start: args.worldStart },
              { max_catch_up_days: args.maxCatchUpDays },
            ],
          },
        },
        // An execution started without an argument has args == null.
        { no_args: { switch: [{ condition: expr("args == null"), assign: [{ args: {} }] }] } },
        {
          read_args: {
            switch: [
              {
                condition: expr(`"lastDay" in args`),
                assign: [{ last_day: expr("args.lastDay") }],
              },
            ],
          },
        },
        {
          refuse_today: {
            switch: [
              {
                condition: expr(`${daysFrom("last_day", "today")} < 1`),
                raise: expr(
                  `"lastDay " + last_day + " is not a complete day yet (today is " + today + ")"`,
                ),
              },
            ],
          },
        },
        ...readManifestSteps(args),
        {
          first_missing_day: {
            switch: [
              {
                condition: expr("data_through == null"),
                assign: [{ first_day: expr("world_start") }],
              },
              {
                condition: true,
                assign: [{ first_day: expr(dayPlus("data_through", "1")) }],
              },
            ],
          },
        },
        {
          count_days: { assign: [{ day_count: expr(`${daysFrom("first_day", "last_day")} + 1`) }] },
        },
        {
          up_to_date: {
            switch: [
              {
                condition: expr("day_count < 1"),
                return: { status: "up to date", dataThrough: expr("data_through") },
              },
            ],
          },
        },
        {
          cap_catch_up: {
            switch: [
              {
                condition: expr("day_count > max_catch_up_days"),
                raise: expr(
                  `string(day_count) + " days are missing (" + first_day + " to " + last_day + "), more than maxCatchUpDays (" + string(max_catch_up_days) + "): run the backfill workflow for them"`,
                ),
              },
            ],
          },
        },
        {
          run_days: {
            try: {
              steps: [
                {
                  each_day: {
                    for: {
                      value: "i",
                      range: [0, expr("day_count - 1")],
                      steps: [
                        {
                          one_day: {
                            call: "run_day",
                            args: { day: expr(dayPlus("first_day", "i")) },
                          },
                        },
                      ],
                    },
                  },
                },
              ],
            },
            except: {
              as: "e",
              steps: [
                {
                  record_failure: record(
                    "failed",
                    expr(`default(map.get(e, "step"), "workflow")`),
                    expr(`json.encode_to_string(e)`),
                  ),
                },
                { fail: { raise: expr("e") } },
              ],
            },
          },
        },
        { record_success: record("succeeded", "", "") },
        {
          finished: {
            return: { status: "succeeded", firstDay: expr("first_day"), lastDay: expr("last_day") },
          },
        },
      ],
    },
    run_day: runDaySubworkflow(args),
    run_check: runCheckSubworkflow(args),
    run_mart: runMartSubworkflow(args),
    record_run: recordRunSubworkflow(args),
  };
}
