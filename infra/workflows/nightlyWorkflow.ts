/**
 * The nightly workflow, generated from the one definition of the chain
 * (`functions/src/chain/nightlyChain.ts`), so its steps cannot drift from the local runner's.
 *
 * For each missing data day, from the manifest's `data_through` + 1 (or the world's first day)
 * to yesterday (or `lastDay`), in order: `generateData`, every data-quality check (stopping at
 * the first violation), every mart's scheduled query in dependency order with the RFM snapshot
 * and the CLV fit where the chain places them. Then one run record for the whole execution. More missing days than
 * `maxCatchUpDays` is refused with a pointer to the backfill workflow: catching up a long gap day
 * by day would rebuild every table mart once per day.
 */
import type { ChainStep } from "../../functions/src/chain/nightlyChain";
import {
  checkSteps,
  clvSteps,
  generateSteps,
  martSteps,
  runCheckSubworkflow,
  runMartSubworkflow,
  snapshotSteps,
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
import { dayPlus, expr, recordRunSubworkflow, type JobContext, type Step } from "./steps";

/** The URL of each function the chain calls. */
export interface ChainFunctionUrls {
  readonly generateData: string;
  readonly refreshRfmSnapshot: string;
  readonly refreshClvSnapshot: string;
  readonly refreshStatTests: string;
}

export interface NightlyWorkflowArgs extends JobContext {
  /** The chain, `nightlyChain()` unless a test passes its own. */
  readonly chain: readonly ChainStep[];
  /** Every check by name: its SQL with logical dataset names. */
  readonly checks: readonly { name: string; sql: string }[];
  /** Transfer config resource name of each scheduled mart. */
  readonly martConfigNames: Readonly<Record<string, string>>;
  /** Marts whose SQL reads `@run_date`. */
  readonly martsUsingRunDate: readonly string[];
  readonly functionUrls: ChainFunctionUrls;
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
      case "clv":
        steps.push(clvSteps(args.functionUrls.refreshClvSnapshot, DAY));
        break;
      case "stats":
        steps.push(statsSteps(args.functionUrls.refreshStatTests, DAY));
        break;
      case "record":
        break;
      default: {
        const unknown: never = step;
        throw new Error(`The nightly workflow has no steps for ${JSON.stringify(unknown)}`);
      }
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

/** The whole nightly workflow definition. */
export function nightlyWorkflow(args: NightlyWorkflowArgs): Record<string, unknown> {
  return {
    main: {
      params: ["args"],
      steps: [
        ...initSteps(args.worldStart, [{ max_catch_up_days: args.maxCatchUpDays }]),
        lastDayArgumentStep("lastDay"),
        refuseIncompleteDayStep("lastDay"),
        ...readManifestSteps(args),
        ...countDaysSteps(),
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
        ...recordedWorkSteps(
          "nightly",
          "run_days",
          [
            {
              each_day: {
                for: {
                  value: "i",
                  range: [0, expr("day_count - 1")],
                  steps: [
                    {
                      one_day: { call: "run_day", args: { day: expr(dayPlus("first_day", "i")) } },
                    },
                  ],
                },
              },
            },
          ],
          // run_day re-raises with the chain step it was in.
          expr(`default(map.get(e, "step"), step)`),
        ),
      ],
    },
    run_day: runDaySubworkflow(args),
    run_check: runCheckSubworkflow(args),
    run_mart: runMartSubworkflow(args),
    record_run: recordRunSubworkflow(args),
  };
}
