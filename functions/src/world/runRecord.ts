/**
 * The run record: one row per run in `snapshots.pipeline_runs` (`PIPELINE_RUNS` in the contract),
 * written by every writer, so the report and BI can say how fresh the data is and which step of
 * a failed run failed (SPEC: "Every run leaves a record").
 */
import { randomUUID } from "node:crypto";
import type { RUN_KINDS } from "../contract";
import type { Warehouse } from "../backends/types";

export type RunKind = (typeof RUN_KINDS)[number];

export interface RunRecord {
  readonly runId: string;
  readonly runKind: RunKind;
  readonly worldId: string | null;
  readonly daysStart: string | null;
  readonly daysEnd: string | null;
  readonly dataThrough: string | null;
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly status: "succeeded" | "failed";
  readonly failedStep: string | null;
  readonly error: string | null;
  /** Rows written per table. */
  readonly rows: Readonly<Record<string, number>> | null;
}

/** A run under way: records its start, then one row when it ends, whichever way. */
export class RunTracker {
  readonly startedAt = new Date();
  /** The step running now; a failure is recorded against it. */
  step = "start";

  constructor(
    readonly runKind: RunKind,
    readonly runId: string = randomUUID(),
  ) {}

  /** The row for this run, ended now. */
  record(fields: {
    status: RunRecord["status"];
    worldId?: string | null;
    days?: { start: string; end: string } | null;
    dataThrough?: string | null;
    rows?: Readonly<Record<string, number>> | null;
    error?: unknown;
  }): RunRecord {
    const failed = fields.status === "failed";
    return {
      runId: this.runId,
      runKind: this.runKind,
      worldId: fields.worldId ?? null,
      daysStart: fields.days?.start ?? null,
      daysEnd: fields.days?.end ?? null,
      dataThrough: fields.dataThrough ?? null,
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      status: fields.status,
      failedStep: failed ? this.step : null,
      error: failed ? oneLine(fields.error) : null,
      rows: fields.rows ?? null,
    };
  }
}

/** An error as one line, short enough for a table cell. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 1000 ? `${line.slice(0, 997)}...` : line;
}

/**
 * Writes a run record, never throwing: a run that failed must report its own failure, not a
 * second one from its record (a warehouse that is down cannot take the row either). Returns the
 * error it swallowed, if any, for the caller to log.
 */
export async function recordRunQuietly(
  warehouse: Warehouse,
  record: RunRecord,
): Promise<Error | null> {
  try {
    await warehouse.recordRun(record);
    return null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
