/**
 * The stack's daily life as sequences, not snapshots (SPEC: "Daily equals bulk"). One small world
 * is built five ways and compared table by table with row hashes:
 *  (a) the bulk `npm start`;
 *  (b) the same days replayed one by one through the handlers (`npm run replay`);
 *  (c) the same days fanned out into shards and date chunks, in shuffled order, some at once;
 *  (d) any day or shard re-run, which must change nothing;
 *  (e) a past day loaded after later days, which changes no other day and no state table;
 *  (f) the world generated to an earlier day, then extended.
 * `dm_kpi_daily` is also recomputed here from raw rows, from SPEC's definitions.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../functions/src/backends/duckdbWarehouse";
import { FUNCTION_ENV } from "../functions/src/backends/fromEnv";
import { RAW_TABLE_NAMES, RAW_TABLES } from "../functions/src/contract";
import { setLogSink } from "../functions/src/handlers/log";
import { withDuckDbReadOnly } from "../functions/src/handlers/testSupport";
import { MARTS } from "../functions/src/marts/catalog";
import { MART_PARAMETERS } from "../functions/src/marts/martParameters";
import { kpiDailyTruth } from "../functions/src/marts/truth/kpiDaily";
import { epochDay, readTruthRaw } from "../functions/src/marts/truth/rawRows";
import { runMarts } from "../functions/src/marts/runMarts";
import { daysBetween } from "../functions/src/pipeline/lakePaths";
import { warehousePath } from "./dataFolder";
import { replayDays, serve, type ServedFunction } from "./replayDays";
import { start } from "./start";

/** 60 days with a leap day, two month ends and the 2024 Spring Sale; ~500 users. */
const WORLD = { seed: 11, users: 6_000, startDate: "2024-02-15" };
const LAST = "2024-04-14";
const DAYS = daysBetween(WORLD.startDate, LAST);
const root = mkdtempSync(join(tmpdir(), "daily-life-"));
const folder = (name: string) => join(root, name);
/** Marts this world leaves empty (180-day LTV needs users 180 days old), in catalog order. */
const EMPTY_IN_THIS_WORLD = ["marts.dm_ltv_distribution", "marts.dm_ltv_lorenz"];

/** Table name -> row count and hash of its sorted rows. */
type Prints = Record<string, string>;

async function rawPrints(
  dir: string,
  tables: readonly string[] = RAW_TABLE_NAMES,
): Promise<Prints> {
  return withDuckDbReadOnly(warehousePath(dir), async (query) => {
    const prints: Prints = {};
    for (const table of tables) {
      const [row] = await query(
        `select count(*) as n, md5(coalesce(string_agg(cast(t as varchar), '|' order by cast(t as varchar)), '')) as h from raw.${table} as t`,
      );
      prints[table] = `${String(row!.n)} ${String(row!.h)}`;
    }
    return prints;
  });
}

/** Hash of every partition of every partitioned raw table: `table/day` -> hash. */
async function partitionPrints(dir: string): Promise<Prints> {
  return withDuckDbReadOnly(warehousePath(dir), async (query) => {
    const prints: Prints = {};
    for (const table of RAW_TABLE_NAMES) {
      const column = RAW_TABLES[table].partitionColumn;
      if (!column) continue;
      const rows = await query(
        `select cast(cast(${column} as date) as varchar) as d, count(*) as n,
                md5(string_agg(cast(t as varchar), '|' order by cast(t as varchar))) as h
         from raw.${table} as t group by 1`,
      );
      for (const r of rows) prints[`${table}/${String(r.d)}`] = `${String(r.n)} ${String(r.h)}`;
    }
    return prints;
  });
}

/**
 * A mart's rows as sorted text, optionally filtered, with decimals to 12 significant digits: a
 * parallel sum may add the same doubles in another order from run to run, which moves the last
 * bit of a share; 12 digits are far beyond any figure an analyst reads.
 */
async function martRows(dir: string, table: string, where = "true"): Promise<string[]> {
  return withDuckDbReadOnly(warehousePath(dir), async (query) => {
    const rows = await query(`select cast(t as varchar) as r from ${table} as t where ${where}`);
    return rows
      .map((r) =>
        String(r.r).replace(/-?\d+\.\d+(?:e[-+]?\d+)?/g, (x) =>
          String(Number(Number(x).toPrecision(12))),
        ),
      )
      .sort();
  });
}

function setWorldEnvironment(dir: string): void {
  process.env[FUNCTION_ENV.localDataDir] = dir;
  process.env[FUNCTION_ENV.generatorSeed] = String(WORLD.seed);
  process.env[FUNCTION_ENV.generatorUsers] = String(WORLD.users);
  process.env[FUNCTION_ENV.generatorStartDate] = WORLD.startDate;
}

/** Marts of a folder refreshed the way the bulk run does, for the days [first, last]. */
async function bulkMarts(dir: string): Promise<void> {
  const warehouse = await DuckDbWarehouse.open({ path: warehousePath(dir) });
  try {
    await runMarts(warehouse, {
      runDate: LAST,
      fromDate: WORLD.startDate,
      snapshotFrom: WORLD.startDate,
    });
  } finally {
    await warehouse.close();
  }
}

const silent = () => undefined;
const savedEnv = { ...process.env };
let generate: ServedFunction;
let bulk: Prints;

beforeAll(async () => {
  setLogSink(silent);
  jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  const code = await start([
    "--seed",
    String(WORLD.seed),
    "--users",
    String(WORLD.users),
    "--start",
    WORLD.startDate,
    "--end",
    LAST,
    "--out",
    folder("bulk"),
  ]);
  expect(code).toBe(0);
  bulk = await rawPrints(folder("bulk"));
  generate = await serve("generateData");
});

afterAll(async () => {
  await generate?.close();
  jest.restoreAllMocks();
  process.env = savedEnv;
  await rm(root, { recursive: true, force: true });
});

describe("a world loaded day by day through the handlers", () => {
  beforeAll(async () => {
    await replayDays({ out: folder("daily"), from: WORLD.startDate, to: LAST, world: WORLD });
  }, 600_000);

  it("holds exactly the bulk run's raw tables", async () => {
    expect(bulk.users).not.toMatch(/^0 /);
    expect(bulk.events).not.toMatch(/^0 /);
    // The window holds a campaign day (1 April): its exposures too come out the same day by day.
    expect(bulk.campaign_exposures).not.toMatch(/^0 /);
    expect(await rawPrints(folder("daily"))).toEqual(bulk);
  });

  it("holds the bulk run's dm_kpi_daily row for every day", async () => {
    const replayed = await martRows(folder("daily"), "marts.dm_kpi_daily");
    expect(replayed).toHaveLength(DAYS.length);
    expect(replayed).toEqual(await martRows(folder("bulk"), "marts.dm_kpi_daily"));
  });

  it("holds the bulk run's marts at the last day", async () => {
    const perDate = new Set(["dm_kpi_daily", "rfm_daily", "dm_rfm_segments", "dm_clv_segments"]);
    const empty: string[] = [];
    for (const mart of MARTS.filter((m) => !perDate.has(m.name))) {
      const table = `${mart.dataset}.${mart.name}`;
      const rows = await martRows(folder("daily"), table);
      if (rows.length === 0) empty.push(table);
      expect([table, rows]).toEqual([table, await martRows(folder("bulk"), table)]);
    }
    // Two empty marts are equal whatever either run did, so the empty ones are named: LTV over
    // 180 days needs a user 180 days old, and the world has 60 days.
    expect(empty).toEqual(EMPTY_IN_THIS_WORLD);
  });

  it("holds the bulk run's RFM snapshots on the days both took one", async () => {
    // The replay snapshots daily (the nightly chain), the bulk run at month ends and the last day.
    const bulkDates = await withDuckDbReadOnly(warehousePath(folder("bulk")), (query) =>
      query(
        "select distinct cast(snapshot_date as varchar) as d from snapshots.rfm_daily order by 1",
      ),
    );
    expect(bulkDates.map((r) => r.d)).toEqual(["2024-02-29", "2024-03-31", LAST]);
    const common = bulkDates.map((r) => `date '${String(r.d)}'`).join(", ");
    for (const table of ["snapshots.rfm_daily", "marts.dm_rfm_segments"]) {
      const where = `snapshot_date in (${common})`;
      const rows = await martRows(folder("daily"), table, where);
      expect(rows.length).toBeGreaterThan(0);
      expect([table, rows]).toEqual([table, await martRows(folder("bulk"), table, where)]);
    }
  });

  it("skips the CLV fit on the last day as the bulk run does, leaving the same empty tables", async () => {
    // About 500 users over 60 days make too few repeat purchases for the BG/NBD: computeClv
    // skips the degenerate fit (the fit itself is held to CDNOW's published figures in
    // refreshClvSnapshot.test.ts). Here: the replay did run the step on the last day, and its
    // tables there are the bulk run's.
    const calls = await withDuckDbReadOnly(warehousePath(folder("daily")), (query) =>
      query(
        `select distinct status from snapshots.pipeline_runs where run_kind = 'refreshClvSnapshot' and days_start = date '${LAST}'`,
      ),
    );
    expect(calls).toEqual([{ status: "succeeded" }]);
    const where = `snapshot_date = date '${LAST}'`;
    for (const table of ["snapshots.clv_daily", "marts.dm_clv_segments"]) {
      expect([table, await martRows(folder("daily"), table, where)]).toEqual([
        table,
        await martRows(folder("bulk"), table, where),
      ]);
    }
    const fit = (dir: string) =>
      martRows(dir, `(select * exclude (fitted_at) from snapshots.clv_fit where ${where})`);
    expect(await fit(folder("daily"))).toEqual(await fit(folder("bulk")));
  });

  it("changes nothing when a day is run again", async () => {
    setWorldEnvironment(folder("daily"));
    const before = await rawPrints(folder("daily"));
    expect((await generate.call({ date: "2024-03-01" })).status).toBe(200);
    expect(await rawPrints(folder("daily"))).toEqual(before);
  });

  it("restores a past day loaded after later days, and changes no other day and no state", async () => {
    setWorldEnvironment(folder("daily"));
    const before = await partitionPrints(folder("daily"));
    const state = await rawPrints(folder("daily"), ["subscriptions", "products", "promo_calendar"]);
    const past = "2024-02-20";
    const warehouse = await DuckDbWarehouse.open({ path: warehousePath(folder("daily")) });
    await warehouse.execute(`delete from raw.sessions where date(session_start_ts) = '${past}'`);
    await warehouse.close();
    expect((await generate.call({ date: past })).status).toBe(200);
    expect(await partitionPrints(folder("daily"))).toEqual(before);
    expect(
      await rawPrints(folder("daily"), ["subscriptions", "products", "promo_calendar"]),
    ).toEqual(state);
  });
});

describe("a world fanned out over shards and date chunks, in shuffled order", () => {
  const SHARDS = 3;
  const requests: { date?: string; startDate?: string; endDate?: string; shard: object }[] = [];

  beforeAll(async () => {
    setWorldEnvironment(folder("shards"));
    for (let index = 0; index < SHARDS; index++)
      for (let c = 0; c < DAYS.length; c += 12) {
        const chunk = DAYS.slice(c, c + 12);
        requests.push({
          startDate: chunk[0]!,
          endDate: chunk[chunk.length - 1]!,
          shard: { index, count: SHARDS },
        });
      }
    // A seeded shuffle, then pairs sent at once (the local server queues them per folder).
    let state = 20_241_204;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = requests.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [requests[i], requests[j]] = [requests[j]!, requests[i]!];
    }
    for (let i = 0; i < requests.length; i += 2) {
      const answers = await Promise.all(requests.slice(i, i + 2).map((r) => generate.call(r)));
      for (const answer of answers) expect(answer.status).toBe(200);
    }
  }, 600_000);

  it("holds exactly the bulk run's raw tables", async () => {
    expect(await rawPrints(folder("shards"))).toEqual(bulk);
  });

  it("gives the bulk run's marts and every day of dm_kpi_daily", async () => {
    await bulkMarts(folder("shards"));
    const empty: string[] = [];
    for (const mart of MARTS) {
      const table = `${mart.dataset}.${mart.name}`;
      const rows = await martRows(folder("shards"), table);
      if (rows.length === 0) empty.push(table);
      expect([table, rows]).toEqual([table, await martRows(folder("bulk"), table)]);
    }
    // As above, and no CLV fit (see the replay's CLV test) leaves dm_clv_segments empty.
    expect(empty).toEqual([...EMPTY_IN_THIS_WORLD, "marts.dm_clv_segments"]);
  });

  it("changes nothing when a shard's chunk is run again", async () => {
    setWorldEnvironment(folder("shards"));
    const before = await rawPrints(folder("shards"));
    expect((await generate.call(requests[3]!)).status).toBe(200);
    expect((await generate.call(requests[0]!)).status).toBe(200);
    expect(await rawPrints(folder("shards"))).toEqual(before);
  });

  it("refuses a day requested with another shard count, writing nothing", async () => {
    setWorldEnvironment(folder("shards"));
    const before = await rawPrints(folder("shards"));
    const answer = await generate.call({ date: "2024-03-01", shard: { index: 0, count: 2 } });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe("shard_conflict");
    expect(String(answer.body.message)).toMatch(/written with 3 shard\(s\); a 2-shard request/);
    expect(await rawPrints(folder("shards"))).toEqual(before);
  });
});

describe("a world generated to an earlier day, then extended", () => {
  it("equals the world generated to the later day at once", async () => {
    const earlier = "2024-03-20";
    const code = await start([
      "--seed",
      String(WORLD.seed),
      "--users",
      String(WORLD.users),
      "--start",
      WORLD.startDate,
      "--end",
      earlier,
      "--out",
      folder("extended"),
    ]);
    expect(code).toBe(0);
    setWorldEnvironment(folder("extended"));
    const answer = await generate.call({ startDate: "2024-03-21", endDate: LAST });
    expect(answer.status).toBe(200);
    expect(answer.body.dataThrough).toBe(LAST);
    expect(await rawPrints(folder("extended"))).toEqual(bulk);
  });
});

describe("dm_kpi_daily against a recomputation from raw rows", () => {
  it("matches SPEC's definitions on every day of the bulk run", async () => {
    const warehouse = await DuckDbWarehouse.open({
      path: warehousePath(folder("bulk")),
      readOnly: true,
    });
    let expected: Map<string, Record<string, string | number | null>>;
    let actual: Record<string, unknown>[];
    try {
      const raw = await readTruthRaw(warehouse.connection);
      expected = new Map(
        kpiDailyTruth(raw, epochDay(WORLD.startDate), epochDay(LAST), MART_PARAMETERS).map((r) => [
          String(r.kpi_date),
          r,
        ]),
      );
      actual = await warehouse.query(
        "select *, cast(kpi_date as string) as day from marts.dm_kpi_daily order by kpi_date",
      );
    } finally {
      await warehouse.close();
    }
    expect(actual.map((r) => r.day)).toEqual(DAYS);
    for (const row of actual) {
      const want = expected.get(String(row.day))!;
      for (const [column, value] of Object.entries(want)) {
        if (column === "kpi_date") continue;
        const got = row[column] === null ? null : Number(row[column]);
        // Counts exactly; amounts to the cent (a sum in another order can end a hair apart);
        // ratios to a billionth.
        const tolerance = column === "revenue" || column === "aov" ? 0.005 : 1e-9;
        if (value === null || got === null)
          expect([row.day, column, got]).toEqual([row.day, column, value]);
        else
          expect([row.day, column, got, Math.abs(got - Number(value)) <= tolerance]).toEqual([
            row.day,
            column,
            got,
            true,
          ]);
      }
    }
    // The windows really differ: a week and a month of activity are more users than a day.
    const last = actual[actual.length - 1]!;
    expect(Number(last.mau)).toBeGreaterThan(Number(last.wau));
    expect(Number(last.wau)).toBeGreaterThan(Number(last.dau));
  });
});
