import { RAW_TABLE_NAMES, RAW_TABLES, type RawTableName } from "../contract";
import { forgetCampaignAssignments } from "./campaignAssignment";
import { DEFAULT_GENERATE_OPTIONS, generateShop, type GenerateOptions } from "./index";
import {
  closeDuckDb,
  copyGenerated,
  type Db,
  generatedWorld,
  rowDifference,
  scalar,
} from "./testSupport";

const WORLD = { ...DEFAULT_GENERATE_OPTIONS, users: 1_200 };
const PARTITIONED = RAW_TABLE_NAMES.filter((t) => RAW_TABLES[t].partitionColumn !== undefined);

async function generateInto(db: Db, schema: string, options: GenerateOptions): Promise<void> {
  // Each slice draws its own campaign pass, as a shard of a fan-out or a day's run in another
  // process would, instead of reusing the whole world's from this process's cache.
  forgetCampaignAssignments();
  await generateShop(db.connection, options);
  await copyGenerated(db.connection, schema);
}

async function unionDifference(db: Db, table: RawTableName, parts: string[]) {
  const union = parts.map((p) => `select * from ${p}.${table}`).join(" union all ");
  return rowDifference(db.connection, `whole.${table}`, `(${union})`);
}

describe("sharding", () => {
  let db: Db;

  beforeAll(async () => {
    ({ db } = await generatedWorld(WORLD));
    await copyGenerated(db.connection, "whole");
    await generateInto(db, "users_a", { ...WORLD, shard: { index: 0, count: 2 } });
    await generateInto(db, "users_b", { ...WORLD, shard: { index: 1, count: 2 } });
    await generateInto(db, "days_a", {
      ...WORLD,
      dateRange: { start: "2024-01-01", end: "2025-03-14" },
    });
    // The same world generated only to 2025-03-14: a prefix of the whole (SPEC: prefix-stable).
    await generateInto(db, "prefix", { ...WORLD, endDate: "2025-03-14" });
    await generateInto(db, "days_b", {
      ...WORLD,
      dateRange: { start: "2025-03-15", end: "2025-12-31" },
    });
  });
  afterAll(() => closeDuckDb(db));

  it.each([
    "users",
    "sessions",
    "events",
    "orders",
    "order_items",
    "subscriptions",
    "campaign_exposures",
  ] as const)("makes %s of two user halves exactly the whole", async (table) => {
    expect(await unionDifference(db, table, ["users_a", "users_b"])).toEqual({
      missing: 0,
      extra: 0,
    });
  });

  it.each(["products", "promo_calendar"] as const)(
    "gives every user shard the whole %s",
    async (table) => {
      expect(await rowDifference(db.connection, `whole.${table}`, `users_a.${table}`)).toEqual({
        missing: 0,
        extra: 0,
      });
    },
  );

  it.each(PARTITIONED)("makes %s of two date halves exactly the whole", async (table) => {
    expect(await unionDifference(db, table, ["days_a", "days_b"])).toEqual({
      missing: 0,
      extra: 0,
    });
    // Both halves hold rows, so the split really cut the table.
    expect(await scalar(db.connection, `select count(*) from days_a.${table}`)).toBeGreaterThan(0);
    expect(await scalar(db.connection, `select count(*) from days_b.${table}`)).toBeGreaterThan(0);
  });

  it.each(PARTITIONED)(
    "makes %s of a world generated to an earlier day exactly the whole's rows of those days",
    async (table) => {
      expect(await rowDifference(db.connection, `days_a.${table}`, `prefix.${table}`)).toEqual({
        missing: 0,
        extra: 0,
      });
    },
  );

  it("keeps the promotions that started by the last day generated, as they are in the whole", async () => {
    expect(
      await rowDifference(
        db.connection,
        "(select * from whole.promo_calendar where start_date <= date '2025-03-14')",
        "prefix.promo_calendar",
      ),
    ).toEqual({ missing: 0, extra: 0 });
    expect(await scalar(db.connection, "select count(*) from prefix.promo_calendar")).toBeLessThan(
      await scalar(db.connection, "select count(*) from whole.promo_calendar"),
    );
  });

  it("produces subscriptions as of the last day generated, whatever the date range", async () => {
    // A date range only filters the partitioned tables: the state is the world's as of its end.
    expect(
      await rowDifference(db.connection, "whole.subscriptions", "days_a.subscriptions"),
    ).toEqual({ missing: 0, extra: 0 });
    const later = await scalar(
      db.connection,
      `select count(*) from prefix.subscriptions s join whole.users u using (user_id)
       where u.signup_date > date '2025-03-14' or s.start_date > date '2025-03-14'
           or s.end_date > date '2025-03-14'`,
    );
    expect(later).toBe(0);
    expect(await scalar(db.connection, "select count(*) from prefix.subscriptions")).toBe(
      await scalar(
        db.connection,
        "select count(*) from whole.users where signup_date <= date '2025-03-14'",
      ),
    );
  });

  it.each(["2025-06-30", "2025-07-01", "2025-07-09"])(
    "generates a single day on its own, as the daily run does (%s: the eve of a campaign, its day, a day of its visits)",
    async (day) => {
      forgetCampaignAssignments();
      await generateShop(db.connection, { ...WORLD, dateRange: { start: day, end: day } });
      for (const table of PARTITIONED) {
        const column = RAW_TABLES[table].partitionColumn ?? "";
        expect(
          await rowDifference(
            db.connection,
            `(select * from whole.${table} where cast(${column} as date) = date '${day}')`,
            `gen.${table}`,
          ),
        ).toEqual({ missing: 0, extra: 0 });
      }
      expect(await scalar(db.connection, "select count(*) from gen.events")).toBeGreaterThan(0);
    },
  );

  it("holds exposures on the campaign day and visits the campaign caused after it", async () => {
    expect(
      await scalar(
        db.connection,
        "select count(*) from whole.campaign_exposures where campaign_date = date '2025-07-01'",
      ),
    ).toBeGreaterThan(0);
    expect(
      await scalar(
        db.connection,
        "select count(*) from whole.sessions where session_id like '%-RC2025-07-%'",
      ),
    ).toBeGreaterThan(0);
  });
});
