// First: DuckDB's allocator reads its setting when the library loads (see the module).
import "./cli/duckdbAllocator";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { LocalLake } from "../functions/src/backends/localLake";
import { runChecks } from "../functions/src/checks";
import { DEFAULT_GENERATE_OPTIONS } from "../functions/src/generator";
import { runMarts } from "../functions/src/marts/runMarts";
import {
  DEFAULT_GENERATION_MEMORY_LIMIT,
  generateAndLoad,
} from "../functions/src/pipeline/generateAndLoad";
import { generateToLake } from "../functions/src/pipeline/generateToLake";
import { daysBetween, WHOLE_RUN } from "../functions/src/pipeline/lakePaths";
import { closeDuckDb, openDuckDb } from "../functions/src/warehouse/duckdb";
import { setLogSink } from "../functions/src/handlers/log";
import { warmLaterStages } from "./laterStages";
import { replayDays } from "./replayDays";
import { start } from "./start";
import { MAX_USERS, MIN_USERS } from "./cli/args";
import { runNode } from "./cli/runNode";
import { keepTranslations, TRANSLATIONS_FOLDER_ENV } from "./cli/keptTranslations";
import { keepRendererSnapshot, SNAPSHOT_FOLDER_ENV } from "./report/charts/rendererSnapshot";
import {
  integerValue,
  runMain,
  sizeValue,
  stringValue,
  type CommandSpec,
  type ParsedArgs,
} from "./cli/command";

/**
 * `npm run bench`: generation + lake write at reference scale (and at 10x users with `--10x`), the
 * whole local pipeline with per-mart times, `npm start` with nothing kept from an earlier run (no
 * SQL translation, no chart renderer snapshot or compiled charts: its first run after
 * `npm ci --ignore-scripts`), `npm start` with only what npm ci's prepare step keeps (its first run
 * after `npm ci`), `npm start` as a user runs it followed by the nightly chain replayed for three
 * more days (seconds per day), `npm start` run a third time in its folder (writing its lake over
 * the files of the first run's), with `--10x` also `npm start` alone at ten times the users (its
 * peak memory), and a baseline measured in the same run: DuckDB writing the same number of rows as
 * the events table straight from `range()` to one zstd Parquet file, a fixed job whose time says
 * how fast this machine is right now (the lake itself is written with snappy). Each measurement
 * runs in its own child process, so peak RSS, CPU seconds and page faults are that run's alone.
 */
export const BENCH_COMMAND: CommandSpec = {
  command: "npm run bench",
  summary: [
    "Measures generation + lake write at reference scale (and at 10x users with --10x), the whole",
    "local pipeline with per-mart times, npm start with nothing kept (no SQL translation, no",
    "renderer snapshot or compiled charts: its first run after npm ci --ignore-scripts), npm",
    "start with what npm ci's prepare step keeps (its first run after npm ci), npm start with",
    "three replayed days, npm start run a third time in its folder (its lake written over the",
    "first run's files), npm start alone at 10x users with --10x, and a baseline measured in the",
    "same run (DuckDB writing as many rows as the events table to one Parquet file). Each run is",
    "its own child process; each prints its seconds, peak memory, CPU seconds and page faults.",
  ].join("\n"),
  options: {
    users: {
      type: "string",
      value: "N",
      help: `users in the measured shop, ${MIN_USERS}..${MAX_USERS} (default ${DEFAULT_GENERATE_OPTIONS.users})`,
    },
    "10x": {
      type: "boolean",
      help: "also measure generation + lake write, and npm start, at ten times the users",
    },
    "memory-limit": {
      type: "string",
      value: "SIZE",
      help: `DuckDB memory limit, for example 512MB (default ${DEFAULT_GENERATION_MEMORY_LIMIT}; npm start runs with its own defaults unless this is given)`,
    },
  },
  examples: ["npm run bench", "npm run bench -- --10x --memory-limit 1GB"],
};

interface Measurement {
  readonly name: string;
  readonly rows: number;
  /** Rows of the events table (the baseline writes as many). */
  readonly events: number;
  readonly seconds: Record<string, number>;
  /** What the measured work cost the child's own process (the report's renderer not included). */
  readonly cpu: StageCpu;
  /** The same for each stage timed on its own (`npm start`, the replay). */
  readonly stageCpu: Record<string, StageCpu>;
  readonly maxRssMiB: number;
  readonly marts?: { name: string; seconds: number }[];
}

/**
 * A stage's CPU. A run on N cores takes at least its CPU seconds over N, so this says how close
 * the wall time is to that floor (DuckDB's threads count: they are the process's), and how much
 * of it the kernel takes. On a virtual machine a page fault costs the guest far more than on bare
 * metal: the kernel's share, and the first touches of fresh memory behind it, are figures to watch
 * beside the seconds.
 */
interface StageCpu {
  /** User and kernel CPU seconds of the child's process during the stage. */
  readonly seconds: number;
  readonly kernelSeconds: number;
  /** Page faults served without I/O: first touches of memory the process was given. */
  readonly minorFaults: number;
}

const CHILD = "--child";

async function main(args: ParsedArgs): Promise<void> {
  const usersFlag = stringValue(args, "users");
  const users =
    usersFlag === undefined
      ? DEFAULT_GENERATE_OPTIONS.users
      : integerValue("--users", usersFlag, MIN_USERS, MAX_USERS);
  const memoryFlag = stringValue(args, "memory-limit");
  const memoryLimit = sizeValue("--memory-limit", memoryFlag ?? DEFAULT_GENERATION_MEMORY_LIMIT);
  // `npm start` is measured as a user runs it: with its own memory limits unless one is given.
  const startMemoryLimit = memoryFlag === undefined ? "" : memoryLimit;
  const tenfold = args.values["10x"] === true;
  // Checked before anything runs: the 10x runs come after the others.
  if (tenfold)
    integerValue("--users (times 10 for --10x)", String(users * 10), MIN_USERS, MAX_USERS);

  const results: Measurement[] = [];
  // Each child writes under this folder, removed once at the end: deleting a child's thousands
  // of lake files right away slowed the next child's file creation (a filesystem without a
  // journal skips recently freed inodes), so its figures measured the cleanup, not its work.
  const root = await mkdtemp(join(tmpdir(), "bench-"));
  // `n` is the users of a shop, except for the baseline, whose `n` is its rows.
  const run = async (kind: string, n: number) => {
    const what = kind === "baseline" ? "rows" : "users";
    process.stderr.write(`bench: ${kind} at ${n.toLocaleString("en-US")} ${what}...\n`);
    const limit = kind.startsWith("start") ? startMemoryLimit : memoryLimit;
    const m = await inChild(kind, n, limit, root);
    results.push(m);
    process.stderr.write(
      `bench: ${kind} took ${total(m).toFixed(2)} s, peak RSS ${m.maxRssMiB} MiB\n`,
    );
  };
  try {
    await run("generate+lake", users);
    const eventsRows = results[0]!.events;
    await run("baseline", eventsRows);
    if (tenfold) await run("generate+lake", users * 10);
    await run("pipeline", users);
    await run("start-untranslated", users);
    await run("start-prepared", users);
    await run("start+replay", users);
    await run("start-again", users);
    if (tenfold) await run("start", users * 10);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  process.stdout.write(`${report(results)}\n`);
}

/**
 * npm ci's prepare step as npm runs it (the package's `prepare` script, `prepare.mjs`), with its
 * caches in `env`'s folders, in a process of its own: this process must still translate and load
 * as a first run does. What the step says on stderr (a cache it could not build) is passed on.
 */
async function prepareInItsOwnProcess(env: Record<string, string>): Promise<void> {
  const said = await runNode([join(__dirname, "prepare.mjs")], "the prepare step", {
    ...process.env,
    ...env,
  });
  process.stderr.write(said);
}

/** Runs one measurement in a fresh process (same Node flags, so the TypeScript loader too). */
function inChild(
  kind: string,
  users: number,
  memoryLimit: string,
  root: string,
): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [...process.execArgv, __filename, CHILD, kind, String(users), memoryLimit, root],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let stdout = "";
    proc.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    proc.on("error", reject);
    proc.on("close", (code) => {
      const line = stdout.trim().split("\n").pop();
      if (code !== 0 || !line) reject(new Error(`bench child "${kind}" exited with ${code}`));
      else resolve(JSON.parse(line) as Measurement);
    });
  });
}

async function child(
  kind: string,
  users: number,
  memoryLimit: string,
  root: string,
): Promise<Measurement> {
  const dir = await mkdtemp(join(root, `${kind}-`));
  // As the commands do: translations and the chart renderer's snapshot kept by the runs before
  // this one are read back, except for the two runs that measure `npm start`'s first run: with
  // none kept (after `npm ci --ignore-scripts`), and with only what npm ci's prepare step keeps.
  const first = kind === "start-untranslated" || kind === "start-prepared";
  const own = {
    [TRANSLATIONS_FOLDER_ENV]: join(dir, "translations"),
    [SNAPSHOT_FOLDER_ENV]: join(dir, "renderer"),
  };
  if (kind === "start-prepared") await prepareInItsOwnProcess(own);
  keepTranslations(first ? own : process.env);
  keepRendererSnapshot(first ? own : process.env);
  const seconds: Record<string, number> = {};
  const cpu = { begun: process.resourceUsage(), stages: {} as Record<string, StageCpu> };
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const before = process.resourceUsage();
    const started = performance.now();
    const result = await work();
    seconds[stage] = (performance.now() - started) / 1000;
    cpu.stages[stage] = cpuSince(before);
    return result;
  };
  const world = { ...DEFAULT_GENERATE_OPTIONS, users };
  if (kind === "baseline") {
    // `users` carries the row count here: as many rows as the events table, 8 columns.
    const db = await openDuckDb(":memory:", { memoryLimit });
    await timed("write", () =>
      db.connection.run(
        `copy (select 'E' || lpad(cast(i as varchar), 10, '0') as event_id, hash(i, 1) % 300000 as user_id,
               timestamptz '2024-01-01 00:00:00+00' + to_seconds(cast(hash(i, 2) % 63072000 as bigint)) as event_ts,
               ['view', 'click', 'add_to_cart', 'checkout', 'purchase'][1 + cast(hash(i, 3) % 5 as int)] as event_type,
               'S' || cast(i // 3 as varchar) as session_id, hash(i, 4) % 300 as product_id,
               hash(i, 5) % 10 = 0 as is_promo, cast(hash(i, 6) % 30 as double) / 100 as discount_rate
         from range(${users}) t(i)) to '${join(dir, "baseline.parquet")}' (format parquet, compression zstd)`,
      ),
    );
    closeDuckDb(db);
    return measurement("baseline: COPY range() to Parquet", users, users, seconds, cpu);
  }
  if (kind === "generate+lake") {
    const db = await openDuckDb(":memory:", { memoryLimit });
    await db.connection.run(`set temp_directory = '${join(dir, "spill")}'`);
    const range = { start: world.startDate, end: world.endDate };
    const written = await generateToLake(db, new LocalLake(join(dir, "lake")), {
      seed: world.seed,
      users: world.users,
      startDate: world.startDate,
      dateRange: range,
      days: daysBetween(range.start, range.end),
      shard: WHOLE_RUN,
      writeState: true,
      stateAsOf: range.end,
    });
    Object.assign(seconds, written.seconds);
    const rows = written.rows;
    closeDuckDb(db);
    return measurement(
      `generate + lake write, ${users} users`,
      sum(rows),
      rows.events,
      seconds,
      cpu,
    );
  }
  if (kind === "pipeline") {
    const lake = new LocalLake(join(dir, "lake"));
    const warehouse = await DuckDbWarehouse.open({
      path: join(dir, "warehouse.duckdb"),
      memoryLimit,
      vacuum: false, // a new file, as `npm start` builds it
    });
    // As `npm start` does: the checks' and marts' queries translated while DuckDB generates.
    void warmLaterStages();
    const loaded = await generateAndLoad(
      {
        seed: world.seed,
        users: world.users,
        startDate: world.startDate,
        dateRange: { start: world.startDate, end: world.endDate },
      },
      { lake, warehouse },
      undefined,
      { memoryLimit },
    );
    Object.assign(seconds, {
      generate: loaded.seconds.generate,
      lake: loaded.seconds.lake,
      load: loaded.seconds.load,
    });
    await timed("checks", () => runChecks(warehouse));
    const marts = await timed("marts", () =>
      runMarts(warehouse, {
        runDate: world.endDate,
        fromDate: world.startDate,
        snapshotFrom: world.startDate,
      }),
    );
    await warehouse.close();
    return {
      ...measurement(
        `pipeline + checks + marts, ${users} users`,
        sum(loaded.rows),
        loaded.rows.events,
        seconds,
        cpu,
      ),
      marts: marts.map((m) => ({ name: m.name, seconds: m.seconds })),
    };
  }
  if (kind === "start" || kind === "start-untranslated" || kind === "start-prepared") {
    // `npm start` alone: for its peak memory at ten times the users, with nothing kept from an
    // earlier run (the SQL translator loads, the renderer's snapshot is built and the charts
    // compiled), or with what npm ci's prepare step keeps (the charts are still compiled).
    await quietly(() => timed("npm start", () => startShop(users, join(dir, "data"), memoryLimit)));
    const what = {
      start: "",
      "start-untranslated": ", nothing kept before (first run after npm ci --ignore-scripts)",
      "start-prepared": ", first run after npm ci (its prepare step's caches only)",
    }[kind];
    return measurement(`npm start alone${what}, ${users} users`, 0, 0, seconds, cpu);
  }
  if (kind === "start-again") {
    // `npm start` as a user runs it again and again in one folder: the third run writes its lake
    // over the files of the first run's, which the second run's swap kept (`StagingLake`).
    const out = join(dir, "data");
    await quietly(async () => {
      await timed("first run", () => startShop(users, out, memoryLimit));
      await timed("second run", () => startShop(users, out, memoryLimit));
      await timed("npm start", () => startShop(users, out, memoryLimit));
    });
    const what = "run a third time in its folder (a lake written over)";
    return measurement(`npm start alone, ${what}, ${users} users`, 0, 0, seconds, cpu);
  }
  if (kind === "start+replay") {
    // `npm start` as a user runs it, then the nightly chain replayed for the next days on the
    // same folder: the world extended one day at a time, as the cloud does each night.
    const out = join(dir, "data");
    await quietly(async () => {
      await timed("npm start", () => startShop(users, out, memoryLimit));
      setLogSink(() => undefined);
      const from = nextDay(world.endDate, 1);
      const to = nextDay(world.endDate, REPLAY_DAYS);
      await timed(`replay ${REPLAY_DAYS} days`, () => replayDays({ out, from, to }));
    });
    return measurement(`npm start + replay, ${users} users`, 0, 0, seconds, cpu);
  }
  throw new Error(`Unknown bench child "${kind}"`);
}

/**
 * `npm start` of a shop of `users` into `out`; with `--memory-limit` unless the limit is empty
 * (its own defaults). Fails unless it exits 0.
 */
async function startShop(users: number, out: string, memoryLimit: string): Promise<void> {
  const limit = memoryLimit === "" ? [] : ["--memory-limit", memoryLimit];
  const code = await start(["--users", String(users), "--out", out, ...limit]);
  if (code !== 0) throw new Error(`npm start exited with ${code}`);
}

/** Runs `work` with stdout silenced: the child's one line of stdout is its JSON measurement. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
}

/** Days the bench replays after `npm start`. */
const REPLAY_DAYS = 3;

function nextDay(day: string, offset: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
}

function measurement(
  name: string,
  rows: number,
  events: number,
  seconds: Record<string, number>,
  cpu: { begun: NodeJS.ResourceUsage; stages: Record<string, StageCpu> },
): Measurement {
  // maxRSS is in KiB on Linux and macOS.
  return {
    name,
    rows,
    events,
    seconds,
    cpu: cpuSince(cpu.begun),
    stageCpu: cpu.stages,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function report(results: readonly Measurement[]): string {
  const baseline = results.find((r) => r.name.startsWith("baseline"));
  // The floor for a run: the baseline's seconds scaled to that run's number of event rows.
  const floor = (m: Measurement) =>
    baseline ? (total(baseline) * m.events) / baseline.events : NaN;
  const lines = [
    "",
    `${"measurement".padEnd(44)}${"rows".padStart(12)}${"seconds".padStart(10)}${"rows/s".padStart(12)}${"x floor".padStart(9)}${"peak RSS".padStart(11)}`,
  ];
  for (const r of results.filter((m) => m.rows > 0)) {
    lines.push(
      `${r.name.padEnd(44)}${r.rows.toLocaleString("en-US").padStart(12)}${total(r).toFixed(2).padStart(10)}` +
        `${Math.round(r.rows / total(r))
          .toLocaleString("en-US")
          .padStart(12)}` +
        `${(total(r) / floor(r)).toFixed(1).padStart(9)}${`${r.maxRssMiB} MiB`.padStart(11)}`,
      `    ${Object.entries(r.seconds)
        .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
        .join(", ")}`,
      `    ${cpuText(r.cpu)}`,
    );
  }
  const daily = results.find((r) => r.name.startsWith("npm start + replay"));
  if (daily) {
    const replay = Object.entries(daily.seconds).find(([k]) => k.startsWith("replay"));
    lines.push(
      "",
      `${daily.name}: npm start ${daily.seconds["npm start"]!.toFixed(2)} s; ` +
        `replay ${((replay?.[1] ?? NaN) / REPLAY_DAYS).toFixed(2)} s per day ` +
        `(${(((replay?.[1] ?? NaN) / REPLAY_DAYS / daily.seconds["npm start"]!) * 100).toFixed(1)}% of a bulk run); ` +
        // One child runs both, so its peak is that of the two together.
        `peak RSS of both ${daily.maxRssMiB} MiB`,
      `    npm start: ${cpuText(daily.stageCpu["npm start"])}`,
    );
  }
  for (const alone of results.filter((r) => r.name.startsWith("npm start alone"))) {
    // The runs before the measured one in the same folder, when there were any.
    const before = Object.entries(alone.seconds)
      .filter(([k]) => k !== "npm start")
      .map(([k, v]) => `${k} ${v.toFixed(2)} s`);
    lines.push(
      `${alone.name}: ${alone.seconds["npm start"]!.toFixed(2)} s` +
        `${before.length > 0 ? ` (${before.join(", ")})` : ""}, peak RSS ${alone.maxRssMiB} MiB`,
      `    ${cpuText(alone.stageCpu["npm start"])}`,
    );
  }
  const marts = results.find((r) => r.marts)?.marts ?? [];
  if (marts.length > 0) {
    lines.push("", "per mart (seconds)");
    for (const m of marts) lines.push(`  ${m.name.padEnd(32)}${m.seconds.toFixed(2).padStart(8)}`);
  }
  lines.push(
    "",
    "rows: all raw tables. x floor: seconds over the baseline's seconds for as many event rows",
    "(DuckDB writing rows from range() to one zstd Parquet file, measured in this run).",
    "CPU: user + kernel seconds of the measuring process (not of the report's renderer), beside",
    `the least wall time they allow on this machine's ${availableParallelism()} cores.`,
    "Minor page faults: first touches of memory the process was given.",
  );
  return lines.join("\n");
}

/** The process's CPU since `before`. */
function cpuSince(before: NodeJS.ResourceUsage): StageCpu {
  const after = process.resourceUsage();
  // CPU times are in microseconds.
  const kernelSeconds = (after.systemCPUTime - before.systemCPUTime) / 1e6;
  return {
    seconds: (after.userCPUTime - before.userCPUTime) / 1e6 + kernelSeconds,
    kernelSeconds,
    minorFaults: after.minorPageFault - before.minorPageFault,
  };
}

/** A stage's CPU seconds, the kernel's share, and the least wall time they allow here. */
function cpuText(cpu: StageCpu | undefined): string {
  if (!cpu) return "CPU not measured";
  const cores = availableParallelism();
  return (
    `CPU ${cpu.seconds.toFixed(2)} s (${((cpu.kernelSeconds / cpu.seconds) * 100).toFixed(0)}% in the kernel; ` +
    `at least ${(cpu.seconds / cores).toFixed(2)} s on ${cores} cores), ` +
    `${Math.round(cpu.minorFaults / 1000).toLocaleString("en-US")}k minor page faults`
  );
}

function total(m: Measurement): number {
  return Object.values(m.seconds).reduce((s, v) => s + v, 0);
}

function sum(rows: Record<string, number>): number {
  return Object.values(rows).reduce((s, v) => s + v, 0);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === CHILD) {
    child(argv[1]!, Number(argv[2]), argv[3]!, argv[4]!).then(
      (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
      (error: unknown) => {
        process.stderr.write(
          `bench child failed: ${error instanceof Error ? error.stack : error}\n`,
        );
        process.exitCode = 1;
      },
    );
  } else {
    runMain(BENCH_COMMAND, main);
  }
}
