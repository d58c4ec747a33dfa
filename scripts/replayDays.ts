/**
 * The nightly chain, replayed day by day on the local backends through the same handler code the
 * cloud runs: for each day, `generateData` (served by the real Functions Framework), every
 * data-quality check, the marts in the chain's order with the cloud's date semantics (the run
 * date is the day), `refreshRfmSnapshot`, `refreshClvSnapshot`, `refreshStatTests`, and a run
 * record. The steps come from `nightlyChain`, the one definition the cloud workflow is generated
 * from too.
 */
import type { Server } from "node:http";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import type { AddressInfo } from "node:net";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { CLOUD_TRIGGER_VARS, FUNCTION_ENV } from "../functions/src/backends/fromEnv";
import { setLogSink } from "../functions/src/handlers/log";
import { nightlyChain, type ChainStep } from "../functions/src/chain/nightlyChain";
import { runChecks } from "../functions/src/checks";
import { martByName } from "../functions/src/marts/catalog";
import { martTarget } from "../functions/src/marts/targets";
import { daysBetween } from "../functions/src/pipeline/lakePaths";
import { martSql } from "../functions/src/marts/martParameters";
import { RunTracker } from "../functions/src/world/runRecord";
import { warehousePath } from "./dataFolder";

export interface ReplayOptions {
  /** The data folder (lake/ and warehouse.duckdb), as `npm start` and `npm run serve` use it. */
  readonly out: string;
  readonly from: string;
  readonly to: string;
  /** The world for a fresh folder; a folder that holds one uses its own (the handler refuses another). */
  readonly world?: { readonly seed?: number; readonly users?: number; readonly startDate?: string };
  /** Fan each day's `generateData` out over this many shards (default: one request). */
  readonly shards?: number;
  /** Called when a day's step ends. */
  readonly onStep?: (day: string, step: string, seconds: number) => void;
  /** Called when a day ends, with its 1-based position. */
  readonly onDay?: (day: string, index: number, total: number, seconds: number) => void;
}

/** A step of a day failed; the days before it are complete. */
export class ReplayError extends Error {
  constructor(
    readonly day: string,
    readonly step: string,
    message: string,
  ) {
    super(`${day}: step ${step} failed: ${message}`);
    this.name = "ReplayError";
  }
}

/** A function served by the real Functions Framework on a loopback port. */
export interface ServedFunction {
  call(body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function serve(name: string): Promise<ServedFunction> {
  // Registers every function, as the deployed entry point does; required only now, once the
  // environment points the handlers at the folder (the entry point validates it on load).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../functions/src/index");
  const server: Server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    async call(body) {
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Points the function handlers of this process at the folder (and at a world for a fresh one),
 * and refuses to run with cloud variables set: the replay is the local twin of the cloud chain,
 * never a way to write to a real project by accident.
 */
function configureEnvironment(options: ReplayOptions): void {
  const cloud = CLOUD_TRIGGER_VARS.filter((name) => (process.env[name] ?? "").trim() !== "");
  if (cloud.length > 0)
    throw new Error(`the replay runs on the local backends; unset ${cloud.join(", ")}`);
  process.env[FUNCTION_ENV.localDataDir] = options.out;
  const world = options.world ?? {};
  if (world.seed !== undefined) process.env[FUNCTION_ENV.generatorSeed] = String(world.seed);
  if (world.users !== undefined) process.env[FUNCTION_ENV.generatorUsers] = String(world.users);
  if (world.startDate !== undefined) process.env[FUNCTION_ENV.generatorStartDate] = world.startDate;
  // A replay may go back years: each request is one day, so the cap never bites.
}

/** The chain's steps grouped into what the replay runs as one unit, in the chain's order. */
type Unit =
  | { readonly kind: "generate" }
  | { readonly kind: "checks"; readonly names: readonly string[] }
  | { readonly kind: "marts"; readonly names: readonly string[] }
  | { readonly kind: "snapshot" }
  | { readonly kind: "stats" }
  | { readonly kind: "clv" }
  | { readonly kind: "record" };

export function replayUnits(steps: readonly ChainStep[] = nightlyChain()): Unit[] {
  const units: Unit[] = [];
  for (const step of steps) {
    const last = units[units.length - 1];
    if (step.kind === "check" || step.kind === "mart") {
      const kind = step.kind === "check" ? "checks" : "marts";
      if (last?.kind === kind) (last.names as string[]).push(step.name);
      else units.push({ kind, names: [step.name] });
    } else units.push({ kind: step.kind });
  }
  return units;
}

/** Where the functions' JSON log lines go during a replay, inside the data folder. */
export const REPLAY_LOG = "replay.log";

/** Replays `from`..`to`; stops at the first failure with a `ReplayError` naming day and step. */
export async function replayDays(options: ReplayOptions): Promise<{ days: number }> {
  configureEnvironment(options);
  mkdirSync(options.out, { recursive: true });
  const log = join(options.out, REPLAY_LOG);
  const previousSink = setLogSink((line) => appendFileSync(log, `${line}\n`));
  const days = daysBetween(options.from, options.to);
  const generate = await serve("generateData");
  const snapshot = await serve("refreshRfmSnapshot");
  const stats = await serve("refreshStatTests");
  const clv = await serve("refreshClvSnapshot");
  const units = replayUnits();
  try {
    for (const [index, day] of days.entries()) {
      const dayStarted = performance.now();
      const tracker = new RunTracker("replay");
      const fail = async (step: string, message: string): Promise<never> => {
        tracker.step = step;
        await withWarehouse(options.out, (w) =>
          w.recordRun(
            tracker.record({ status: "failed", days: { start: day, end: day }, error: message }),
          ),
        ).catch(() => undefined);
        throw new ReplayError(day, step, message);
      };
      let worldId: string | null = null;
      let dataThrough: string | null = null;
      let rows: Record<string, number> | null = null;
      for (const unit of units) {
        const started = performance.now();
        const label = unit.kind;
        if (unit.kind === "generate") {
          const shards = options.shards ?? 1;
          for (let shard = 0; shard < shards; shard++) {
            const body =
              shards === 1 ? { date: day } : { date: day, shard: { index: shard, count: shards } };
            const answer = await generate.call(body);
            if (answer.status !== 200)
              await fail("generate", `${answer.status} ${String(answer.body.message ?? "")}`);
            worldId = String(
              (answer.body.world as { worldId?: string } | undefined)?.worldId ?? "",
            );
            dataThrough = (answer.body.dataThrough as string | null) ?? null;
            rows = (answer.body.rows as Record<string, number>) ?? null;
          }
        } else if (unit.kind === "checks") {
          const results = await withWarehouse(options.out, (w) => runChecks(w));
          const failed = unit.names
            .map((name) => results.find((r) => r.name === name))
            .find((r) => r !== undefined && r.violations > 0);
          if (failed)
            await fail(
              `check:${failed.name}`,
              `${failed.violations} violation(s): ${failed.description}`,
            );
        } else if (unit.kind === "marts") {
          let current = unit.names[0]!;
          try {
            await withWarehouse(options.out, (w) =>
              w.atomically(async (tx) => {
                for (const name of unit.names) {
                  current = name;
                  const decl = martByName(name);
                  await tx.materialize(martTarget(decl, day), martSql(decl), {
                    run_date: { date: day },
                    from_date: { date: day },
                  });
                }
              }),
            );
          } catch (error) {
            await fail(`mart:${current}`, (error as Error).message);
          }
        } else if (unit.kind === "snapshot") {
          const answer = await snapshot.call({ snapshotDate: day });
          if (answer.status !== 200)
            await fail("snapshot", `${answer.status} ${String(answer.body.message ?? "")}`);
        } else if (unit.kind === "clv") {
          const answer = await clv.call({ snapshotDate: day });
          if (answer.status !== 200)
            await fail("clv", `${answer.status} ${String(answer.body.message ?? "")}`);
        } else if (unit.kind === "stats") {
          const answer = await stats.call({ runDate: day });
          if (answer.status !== 200)
            await fail("stats", `${answer.status} ${String(answer.body.message ?? "")}`);
        } else {
          await withWarehouse(options.out, (w) =>
            w.recordRun(
              tracker.record({
                status: "succeeded",
                worldId,
                days: { start: day, end: day },
                dataThrough,
                rows,
              }),
            ),
          );
        }
        options.onStep?.(day, label, (performance.now() - started) / 1000);
      }
      options.onDay?.(day, index + 1, days.length, (performance.now() - dayStarted) / 1000);
    }
  } finally {
    setLogSink(previousSink);
    await generate.close();
    await snapshot.close();
    await stats.close();
    await clv.close();
  }
  return { days: days.length };
}

/** Opens the folder's warehouse for one step and closes it, so the handlers can open it next. */
async function withWarehouse<T>(out: string, work: (w: DuckDbWarehouse) => Promise<T>): Promise<T> {
  const warehouse = await DuckDbWarehouse.open({ path: warehousePath(out) });
  try {
    return await work(warehouse);
  } finally {
    await warehouse.close();
  }
}
