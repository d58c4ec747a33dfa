// First: DuckDB's allocator reads its setting when the library loads (see the module).
import "./cli/duckdbAllocator";
import { resolve } from "node:path";
import { MAX_USERS } from "./cli/args";
import {
  CommandError,
  dateValue,
  folderValue,
  integerValue,
  runCommand,
  runMain,
  stringValue,
  UsageError,
  type CommandSpec,
  type ParsedArgs,
} from "./cli/command";
import { ReplayError, replayDays } from "./replayDays";
import { shownPath } from "./cli/shownPath";
import { keepTranslations } from "./cli/keptTranslations";

export const REPLAY_COMMAND: CommandSpec = {
  command: "npm run replay",
  summary: [
    "Runs the nightly chain day by day on the local backends, through the same handler code the",
    "cloud runs: generateData for the day, every data-quality check, the marts in dependency",
    "order with the day as the run date, refreshRfmSnapshot and refreshClvSnapshot where the",
    "chain places them, refreshStatTests, and a run record. Stops at the first failure, naming",
    "the day and the step; the days before it stay complete. The functions' JSON log lines go",
    "to <out>/replay.log.",
  ].join("\n"),
  options: {
    from: { type: "string", value: "YYYY-MM-DD", help: "first day to replay (required)" },
    to: { type: "string", value: "YYYY-MM-DD", help: "last day to replay (required)" },
    out: {
      type: "string",
      value: "DIR",
      help: "data folder (default .data); a folder that holds a world replays that world",
    },
    seed: { type: "string", value: "N", help: "world of a fresh folder: seed (default 42)" },
    users: { type: "string", value: "N", help: "world of a fresh folder: scale (default 30000)" },
    start: {
      type: "string",
      value: "YYYY-MM-DD",
      help: "world of a fresh folder: first day (default 2024-01-01)",
    },
    shards: {
      type: "string",
      value: "N",
      help: "fan each day's generateData out over N shard requests (default 1)",
    },
  },
  exitCodes: { 1: "a step of a day failed (the day and the step are named)" },
  examples: [
    "npm run replay -- --from 2026-01-01 --to 2026-01-07",
    "npm run replay -- --from 2024-01-01 --to 2024-03-31 --users 2000 --out /tmp/daily",
  ],
};

/** `npm run replay`: checks the flags, replays, prints one line per day. */
export function replay(argv: readonly string[]): Promise<number> {
  return runCommand(REPLAY_COMMAND, argv, run);
}

async function run(args: ParsedArgs): Promise<number> {
  const from = stringValue(args, "from");
  const to = stringValue(args, "to");
  if (from === undefined) throw new UsageError("--from", "is required");
  if (to === undefined) throw new UsageError("--to", "is required");
  dateValue("--from", from);
  dateValue("--to", to);
  if (to < from) throw new UsageError("--to", `${to} is before --from ${from}`);
  const optional = <T>(name: string, parse: (raw: string) => T): T | undefined => {
    const raw = stringValue(args, name);
    return raw === undefined ? undefined : parse(raw);
  };
  const seed = optional("seed", (v) => integerValue("--seed", v, 0, 2 ** 31 - 1));
  const users = optional("users", (v) => integerValue("--users", v, 10, MAX_USERS));
  const startDate = optional("start", (v) => dateValue("--start", v));
  const shards = optional("shards", (v) => integerValue("--shards", v, 1, 1000));
  const out = resolve(folderValue("--out", stringValue(args, "out") ?? ".data"));

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
        ...(startDate !== undefined ? { startDate } : {}),
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
      `Replayed ${result.days} day(s) in ${total.toFixed(1)} s (${(total / result.days).toFixed(2)} s per day) into ${shownPath(out)}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ReplayError) throw new CommandError(error.message);
    throw error;
  }
}

if (require.main === module) {
  keepTranslations();
  runMain(REPLAY_COMMAND, run);
}
