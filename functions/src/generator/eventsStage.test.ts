import { utcDaySql } from "../warehouse/daySql";
import { RAW_TABLES } from "../contract";
import { EVENT_DAYS_AFTER_SESSION, eventsSql } from "./eventsStage";
import { DEFAULT_GENERATE_OPTIONS } from "./index";
import { resolveOptions } from "./options";
import { closeDuckDb, type Db, generatedWorld, scalar } from "./testSupport";
import { buildWorld } from "./world";

const OPTIONS = { ...DEFAULT_GENERATE_OPTIONS, users: 2_000 };
const world = buildWorld(resolveOptions(OPTIONS));
const day = utcDaySql(RAW_TABLES.events);

describe("events for a range of days", () => {
  let db: Db;

  beforeAll(async () => {
    ({ db } = await generatedWorld(OPTIONS));
  });
  afterAll(() => closeDuckDb(db));

  /** Rows of the view on days [first, last] that `eventsSql` misses or adds, in either order. */
  async function difference(first: number, last: number): Promise<number> {
    const ranged = `select row_number() over () as n, * from (${eventsSql(world, first, last)})`;
    const filtered =
      `select row_number() over () as n, * from gen.events ` +
      `where ${day} between date '1970-01-01' + ${first} and date '1970-01-01' + ${last}`;
    return scalar(
      db.connection,
      `select count(*) from ((${ranged} except all ${filtered}) union all (${filtered} except all ${ranged}))`,
    );
  }

  it("gives exactly the view's rows of those days, in the view's order", async () => {
    const { startDay, endDay } = world.options;
    const mid = Math.floor((startDay + endDay) / 2);
    for (const [first, last] of [
      [startDay, startDay],
      [mid, mid + 6],
      [endDay, endDay],
      [startDay, endDay],
    ] as const)
      expect([first, last, await difference(first, last)]).toEqual([first, last, 0]);
  });

  it("includes the events that fall after their session's day", async () => {
    expect(EVENT_DAYS_AFTER_SESSION).toBeGreaterThanOrEqual(1);
    // Days whose first events belong to sessions of the day before: a range starting there
    // must read those sessions too.
    const reader = await db.connection.runAndReadAll(
      `select distinct (${day} - date '1970-01-01')::integer as d
       from gen.events join gen.sessions using (session_id)
       where ${day} > ${utcDaySql(RAW_TABLES.sessions)} order by d limit 5`,
    );
    const crossing = reader.getRows().map((r) => Number(r[0]));
    expect(crossing.length).toBe(5);
    for (const d of crossing) expect([d, await difference(d, d + 1)]).toEqual([d, 0]);
  });

  it("gives nothing outside the generated date range", async () => {
    const { rangeEndDay } = world.options;
    expect(
      await scalar(
        db.connection,
        `select count(*) from (${eventsSql(world, rangeEndDay + 1, rangeEndDay + 30)})`,
      ),
    ).toBe(0);
  });
});
