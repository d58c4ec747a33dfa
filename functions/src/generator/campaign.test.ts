import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { RAW_TABLE_NAMES } from "../contract";
import { martByName } from "../marts/catalog";
import { martSql } from "../marts/martParameters";
import { openTestWarehouse } from "../marts/testing/testWarehouse";
import { dayNumber, isoDate } from "./calendar";
import { forgetCampaignAssignments } from "./campaignAssignment";
import { campaignCalendar } from "./campaignCalendar";
import { DEFAULT_GENERATE_OPTIONS, generateInBatches } from "./index";
import { CAMPAIGNS, NO_CAMPAIGN_EFFECT } from "./params";
import { copyGenerated, rowDifference, scalar } from "./testSupport";

/** The reference calendar at a scale where every campaign has a few dozen targets. */
const WORLD = { ...DEFAULT_GENERATE_OPTIONS, users: 6_000 };
const CAMPAIGN_VISIT = "session_id like '%-RC%'";

let warehouse: DuckDbWarehouse;
const q = <T = Record<string, unknown>>(sql: string) =>
  warehouse.connection.runAndReadAll(sql).then((r) => r.getRowObjectsJson() as T[]);

beforeAll(async () => {
  warehouse = await openTestWarehouse();
  await generateInBatches(warehouse.connection, WORLD, 30_000);
  for (const table of RAW_TABLE_NAMES)
    await warehouse.connection.run(`insert into raw.${table} select * from gen.${table}`);
}, 300_000);
afterAll(() => warehouse.close());

describe("the campaign calendar", () => {
  it("runs on the 1st of January, April, July and October, from 45 days after the world's first day", () => {
    const days = campaignCalendar(dayNumber("2024-01-01"), dayNumber("2025-12-31"));
    expect(days.map((c) => c.campaignId)).toEqual([
      "RC2024-04",
      "RC2024-07",
      "RC2024-10",
      "RC2025-01",
      "RC2025-04",
      "RC2025-07",
      "RC2025-10",
    ]);
    expect(campaignCalendar(dayNumber("2024-02-15"), dayNumber("2024-04-14"))).toEqual([
      { campaignId: "RC2024-04", day: dayNumber("2024-04-01"), key: 202404 },
    ]);
  });

  it("is a prefix of itself for any last day (a world generated further adds campaigns, never moves one)", () => {
    const start = dayNumber("2024-01-01");
    const long = campaignCalendar(start, dayNumber("2030-12-31"));
    expect(campaignCalendar(start, dayNumber("2025-06-30"))).toEqual(long.slice(0, 5));
  });
});

describe("who a campaign targets", () => {
  it.each(
    campaignCalendar(dayNumber(WORLD.startDate), dayNumber(WORLD.endDate)).map(
      (c) => [c.campaignId, c] as const,
    ),
  )(
    "%s targets exactly dm_churn_risk's reactivation list of the day before, with its tiers",
    async (_id, campaign) => {
      const list = await warehouse.query<{
        user_id: string;
        purchase_count_tier: string;
        is_reactivation_target: boolean;
      }>(martSql(martByName("dm_churn_risk")), { run_date: { date: isoDate(campaign.day - 1) } });
      const expected = list
        .filter((r) => r.is_reactivation_target)
        .map((r) => `${r.user_id} ${r.purchase_count_tier}`);
      const exposed = await q<{ user_id: string; purchase_count_tier: string }>(
        `select user_id, purchase_count_tier from raw.campaign_exposures where campaign_id = '${campaign.campaignId}'`,
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(exposed.map((r) => `${r.user_id} ${r.purchase_count_tier}`).sort()).toEqual(
        expected.sort(),
      );
    },
  );

  it("treats half of every tier of every campaign, rounding up", async () => {
    const strata = await q<{ n: number; treated: number }>(
      `select count(*)::int as n, count(*) filter (where experiment_group = 'treatment')::int as treated
       from raw.campaign_exposures group by campaign_id, purchase_count_tier`,
    );
    expect(strata.length).toBeGreaterThan(10);
    for (const s of strata) expect(s.treated).toBe(Math.ceil(s.n * CAMPAIGNS.treatmentShare));
  });
});

describe("what the message does", () => {
  it("is sent to the treatment group only, from 10:00 UTC on the campaign day, opened and blocked that day after it", async () => {
    const bad = await scalar(
      warehouse.connection,
      `select count(*) from raw.campaign_exposures
       where (experiment_group = 'control' and (sent_at is not null or opened_at is not null or blocked_at is not null))
          or (experiment_group = 'treatment' and (sent_at is null
              or cast(sent_at as date) != campaign_date or extract(hour from sent_at) not in (10, 11)
              or opened_at < sent_at or blocked_at < sent_at
              or cast(opened_at as date) != campaign_date or cast(blocked_at as date) != campaign_date))`,
    );
    expect(bad).toBe(0);
  });

  it("opens and blocks at the planted rates, within sampling error", async () => {
    const [r] = await q<{ n: number; opened: number; blocked: number }>(
      `select count(*)::int as n, count(opened_at)::int as opened, count(blocked_at)::int as blocked
       from raw.campaign_exposures where experiment_group = 'treatment'`,
    );
    const within = (k: number, n: number, p: number) =>
      Math.abs(k / n - p) <= 3 * Math.sqrt((p * (1 - p)) / n);
    expect(r!.n).toBeGreaterThan(200);
    expect(within(r!.opened, r!.n, CAMPAIGNS.effects.openProbability)).toBe(true);
    expect(within(r!.blocked, r!.n, CAMPAIGNS.effects.blockProbability)).toBe(true);
  });

  it("causes visits only for treated users who opened, on days 0..27 of the campaign, after the open", async () => {
    const visits = await q<{
      session_id: string;
      user_id: string;
      opened: string | null;
      start: string;
      offset: number;
    }>(
      `select sessions.session_id, sessions.user_id, exposures.opened_at as opened,
              sessions.session_start_ts as start,
              date_diff('day', exposures.campaign_date, cast(sessions.session_start_ts as date))::int as offset
       from raw.sessions
       left join raw.campaign_exposures as exposures
           on exposures.user_id = sessions.user_id
           and sessions.session_id like '%-' || exposures.campaign_id || '-%'
       where ${CAMPAIGN_VISIT}`,
    );
    expect(visits.length).toBeGreaterThan(20);
    for (const v of visits) {
      expect([v.session_id, v.opened !== null]).toEqual([v.session_id, true]);
      expect(v.offset).toBeGreaterThanOrEqual(0);
      expect(v.offset).toBeLessThanOrEqual(27);
      expect(Date.parse(v.start)).toBeGreaterThan(Date.parse(v.opened!));
    }
  });

  it("puts most campaign purchases (their first line) in the messaged category", async () => {
    const [r] = await q<{ campaign: number; in_category: number }>(
      `select count(*)::int as campaign, count(*) filter (where products.category = exposures.category)::int as in_category
       from raw.order_items
       inner join raw.products using (product_id)
       inner join raw.campaign_exposures as exposures
           on exposures.user_id = order_items.user_id
           and order_items.order_id like '%-' || exposures.campaign_id || '-%'
       where order_items.order_id like '%-RC%' and order_items.order_item_id like '%-01'`,
    );
    expect(r!.campaign).toBeGreaterThan(10);
    expect(r!.in_category / r!.campaign).toBeGreaterThan(0.5);
  });
});

describe("the untreated world", () => {
  beforeAll(async () => {
    forgetCampaignAssignments();
    await generateInBatches(warehouse.connection, WORLD, 30_000, undefined, NO_CAMPAIGN_EFFECT);
    await copyGenerated(warehouse.connection, "unplanted");
  }, 300_000);

  it.each([
    ["users", "true"],
    ["sessions", `not (${CAMPAIGN_VISIT})`],
    ["events", "event_id not like '%-RC%'"],
    ["orders", "order_id not like '%-RC%'"],
    ["order_items", "order_id not like '%-RC%'"],
  ])(
    "keeps every natural row of %s as it is without the campaign's effect",
    async (table, natural) => {
      expect(
        await rowDifference(
          warehouse.connection,
          `(select * from raw.${table} where ${natural})`,
          `unplanted.${table}`,
        ),
      ).toEqual({ missing: 0, extra: 0 });
    },
  );

  it("holds no visit caused by a campaign, and the same first campaign: its targets, groups, sends, opens and blocks", async () => {
    expect(
      await scalar(
        warehouse.connection,
        `select count(*) from unplanted.sessions where ${CAMPAIGN_VISIT}`,
      ),
    ).toBe(0);
    const first = "(select * from %s.campaign_exposures where campaign_id = 'RC2024-04')";
    expect(
      await rowDifference(
        warehouse.connection,
        first.replace("%s", "raw"),
        first.replace("%s", "unplanted"),
      ),
    ).toEqual({ missing: 0, extra: 0 });
  });
});

describe("the first pass", () => {
  it("gives the same rows drawn batch by batch, as a multi-batch or sharded run does, as read from a whole-world batch", async () => {
    forgetCampaignAssignments();
    await generateInBatches(warehouse.connection, WORLD, 1_111);
    for (const table of RAW_TABLE_NAMES)
      expect([
        table,
        await rowDifference(warehouse.connection, `raw.${table}`, `gen.${table}`),
      ]).toEqual([table, { missing: 0, extra: 0 }]);
  }, 300_000);
});
