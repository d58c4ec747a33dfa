import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseDay } from "../functions/src/pipeline/lakePaths";
import { ReplayError, replayDays } from "./replayDays";

export const REPLAY_HELP = `Usage: npm run replay -- --from YYYY-MM-DD --to YYYY-MM-DD [options]

Runs the nightly chain day by day on the local backends, through the same handler code the cloud
runs: generateData for the day, every data-quality check, the marts in dependency order with the
day as the run date, refreshRfmSnapshot, and a run record. Stops at the first failure, naming the
day and the step; the days before it stay complete. The functions' JSON log lines go to
<out>/replay.log.

Options:
  --from YYYY-MM-DD   first day to replay (required)
  --to YYYY-MM-DD     last day to replay (required)
  --out DIR           data folder (default .data); a folder that holds a world replays that world
  --seed N            world of a fresh folder: seed (default 42)
  --users N           world of a fresh folder: scale (default 30000)
  --start YYYY-MM-DD  world of a fresh folder: first day (default 2024-01-01)
  --shards N          fan each day's generateData out over N shards (default 1)
  --help              print this help and exit

Exit codes: 0 done, 1 a step failed, 2 a bad option.`;

/** `npm run replay`: parses flags, replays, prints one line per day. */
export async function replay(argv: readonly string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        from: { type: "string" },
        to: { type: "string" },
        out: { type: "string", default: ".data" },
        seed: { type: "string" },
        users: { type: "string" },
        start: { type: "string" },
        shards: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`npm run replay: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${REPLAY_HELP}\n`);
    return 0;
  }
  const usage = (flag: string, message: string) => {
    process.stderr.write(`npm run replay: --${flag}: ${message} (see --help)\n`);
    return 2;
  };
  for (const flag of ["from", "to"] as const) {
    if (typeof values[flag] !== "string") return usage(flag, "is required");
  }
  for (const flag of ["from", "to", "start"] as const) {
    const value = values[flag];
    if (typeof value === "string") {
      try {
        parseDay(value);
      } catch {
        return usage(flag, `"${value}" is not a YYYY-MM-DD date`);
      }
    }
  }
  const from = values.from as string;
  const to = values.to as string;
  if (to < from) return usage("to", `${to} is before --from ${from}`);
  const integer = (flag: string, min: number, max: number): number | undefined | null => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : null;
  };
  const seed = integer("seed", 0, 2 ** 31 - 1);
  const users = integer("users", 10, 5_000_000);
  const shards = integer("shards", 1, 1000);
  if (seed === null) return usage("seed", "must be an integer 0..2147483647");
  if (users === null) return usage("users", "must be an integer 10..5000000");
  if (shards === null) return usage("shards", "must be an integer 1..1000");

  const out = resolve(values.out as string);
  const started = performance.now();
  const steps: string[] = [];
  try {
    const result = await replayDays({
      out,
      from,
      to,
      world: {
        ...(seed !== undefined ? { seed } : {}),
        ...(users !== undefined ? { users } : {}),
        ...(typeof values.start === "string" ? { startDate: values.start } : {}),
      },
      ...(shards !== undefined ? { shards } : {}),
      onStep: (_day, step, seconds) => steps.push(`${step} ${seconds.toFixed(2)}s`),
      onDay: (day, index, total, seconds) => {
        process.stdout.write(
          `${day}  ${index}/${total}  ${seconds.toFixed(2)}s  ${steps.join(", ")}\n`,
        );
        steps.length = 0;
      },
    });
    const total = (performance.now() - started) / 1000;
    process.stdout.write(
      `Replayed ${result.days} day(s) in ${total.toFixed(1)} s (${(total / result.days).toFixed(2)} s per day) into ${out}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ReplayError) {
      process.stderr.write(`npm run replay: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`npm run replay: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  replay(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
