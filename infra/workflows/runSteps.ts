/**
 * The frame both workflows' `main` share: read the arguments and the manifest, find the missing
 * days, run the work under a try that records a failure, and record the run. Each workflow adds
 * only its own range rules and its work.
 */
import { dayPlus, daysFrom, expr, type JobContext, type Step } from "./steps";

export type RunKind = "nightly" | "backfill";

/** The call to `record_run` for this execution (one `pipeline_runs` row). */
export function recordRunCall(kind: RunKind, status: string, failedStep: string, error: string) {
  return {
    call: "record_run",
    args: {
      run_id: expr("run_id"),
      run_kind: kind,
      days_start: expr("first_day"),
      days_end: expr("last_day"),
      started_at: expr("started_at"),
      status,
      failed_step: failedStep,
      error,
    },
  };
}

/** Start time, execution id, today and yesterday (the default last day), plus `extra`. */
export function initSteps(worldStart: string, extra: Record<string, unknown>[]): Step[] {
  return [
    {
      init: {
        assign: [
          { started_at: expr("time.format(sys.now())") },
          { run_id: expr(`sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID")`) },
          { today: expr("text.substring(time.format(sys.now()), 0, 10)") },
          { last_day: expr(dayPlus("today", "-1")) },
          { world_start: worldStart },
          { step: "start" },
          ...extra,
        ],
      },
    },
    // An execution started without an argument has args == null.
    { no_args: { switch: [{ condition: expr("args == null"), assign: [{ args: {} }] }] } },
  ];
}

/** Takes the last day from an argument, if given. */
export function lastDayArgumentStep(argument: string): Step {
  return {
    read_last_day: {
      switch: [
        {
          condition: expr(`"${argument}" in args`),
          assign: [{ last_day: expr(`args.${argument}`) }],
        },
      ],
    },
  };
}

/** Refuses a last day that is not complete yet (today or later). */
export function refuseIncompleteDayStep(argument: string): Step {
  return {
    refuse_today: {
      switch: [
        {
          condition: expr(`${daysFrom("last_day", "today")} < 1`),
          raise: expr(
            `"${argument} " + last_day + " is not a complete day yet (today is " + today + ")"`,
          ),
        },
      ],
    },
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
    {
      first_missing_day: {
        switch: [
          { condition: expr("data_through == null"), assign: [{ first_day: expr("world_start") }] },
          { condition: true, assign: [{ first_day: expr(dayPlus("data_through", "1")) }] },
        ],
      },
    },
  ];
}

/** Counts the days first..last (plus `extra` assignments), and returns early when there are none. */
export function countDaysSteps(extra: Record<string, unknown>[] = []): Step[] {
  return [
    {
      count_days: {
        assign: [{ day_count: expr(`${daysFrom("first_day", "last_day")} + 1`) }, ...extra],
      },
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
  ];
}

/**
 * The work, recorded: on any failure one failed run record (naming `failedStep`) and the error
 * raised again, so the execution fails; on success one succeeded record.
 */
export function recordedWorkSteps(
  kind: RunKind,
  name: string,
  work: Step[],
  failedStep: string,
): Step[] {
  return [
    {
      [name]: {
        try: { steps: work },
        except: {
          as: "e",
          steps: [
            {
              record_failure: recordRunCall(
                kind,
                "failed",
                failedStep,
                expr("json.encode_to_string(e)"),
              ),
            },
            { fail: { raise: expr("e") } },
          ],
        },
      },
    },
    { record_success: recordRunCall(kind, "succeeded", "", "") },
    {
      finished: {
        return: { status: "succeeded", firstDay: expr("first_day"), lastDay: expr("last_day") },
      },
    },
  ];
}
