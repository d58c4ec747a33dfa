import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { isMissingTable } from "../backends/missingTable";
import { CDNOW_FILE, readCdnowRows } from "../clv/testing/cdnow";
import { MARTS } from "../marts/catalog";
import { MART_PARAMETERS } from "../marts/martParameters";
import { runMarts } from "../marts/runMarts";
import { martCoverage } from "../marts/sourceCoverage";
import type { ClvFitRow } from "../marts/truth/clvSegments";
import { compareWithOracle, readMartRows } from "../marts/truth/compare";
import { epochDay, type TruthRaw } from "../marts/truth/rawRows";
import { computeRfmScores } from "../marts/truth/rfmScores";
import type { SegmentMapRow } from "../marts/truth/rfmSnapshot";
import { computeShopTruth, ORACLE_KEYS, type OracleMart } from "../marts/truth/shopTruth";
import { refreshRfmSnapshot } from "../rfm/refreshRfm";
import { ABSENT_FROM_ORDERS, UNKNOWN_PRODUCT_ID } from "./deriveContract";
import { MAPPING_DEFAULTS, readMappingFile } from "./mapping";
import { ordersToWarehouse } from "./ordersToWarehouse";
import { CDNOW_MAPPING_FILE } from "./testing/fixtures";

/**
 * A warehouse holding the CDNOW file loaded through the loader, fresh for each describe block:
 * the snapshots one block writes (other dates) must not become rows the other block compares.
 */
function loadedWarehouse(): { warehouse: () => DuckDbWarehouse } {
  let dir: string;
  let warehouse: DuckDbWarehouse;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "loaded-marts-"));
    warehouse = await DuckDbWarehouse.open({ path: ":memory:" });
    await ordersToWarehouse(CDNOW_FILE, readMappingFile(CDNOW_MAPPING_FILE), {
      lake: new LocalLake(join(dir, "lake")),
      warehouse,
    });
  }, 60_000);
  afterAll(async () => {
    await warehouse.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { warehouse: () => warehouse };
}

/**
 * The raw rows the truth computations take, built from the CDNOW text itself rather than from
 * the loaded tables: a customer's rows on one day are one order, the customer signs up on the
 * first day, the file's CDs are the units, every line is the one product, and the columns the
 * file lacks take the loader's documented defaults. A loader bug cannot then hide in the oracle.
 */
function truthFromFile(): TruthRaw {
  const rows = readCdnowRows();
  const firstDay = new Map<string, number>();
  const orders = new Map<string, TruthRaw["orders"][number]>();
  const lines = rows.map((r): TruthRaw["lines"][number] => {
    const day = epochDay(r.date);
    firstDay.set(r.customer, Math.min(firstDay.get(r.customer) ?? day, day));
    const orderId = `${r.customer}|${r.date}`;
    // What the RFM oracle does not read (times of day, promotions, products) is left neutral.
    orders.set(orderId, {
      order_id: orderId,
      user_id: r.customer,
      order_ms: day * 86_400_000,
      order_day: day,
      is_promo: false,
      discount_rate: 0,
    });
    return {
      order_id: orderId,
      user_id: r.customer,
      product_id: UNKNOWN_PRODUCT_ID,
      quantity: r.cds,
      line_amount: r.dollars,
      is_promo: false,
      order_day: day,
    };
  });
  return {
    users: [...firstDay].map(([user_id, signup_day]) => ({
      user_id,
      signup_day,
      user_type: MAPPING_DEFAULTS.user_type,
      device: MAPPING_DEFAULTS.device,
      region: MAPPING_DEFAULTS.region,
      marketing_source: MAPPING_DEFAULTS.marketing_source,
      is_anomaly: false,
    })),
    products: [{ product_id: UNKNOWN_PRODUCT_ID, category: MAPPING_DEFAULTS.category }],
    promos: [],
    sessions: [],
    events: [],
    orders: [...orders.values()],
    lines,
    subscriptions: [],
    exposures: [],
  };
}

describe("the RFM snapshot of a loaded orders file", () => {
  const loaded = loadedWarehouse();
  it.each(["1997-09-30", "1998-06-30"])(
    "equals an independent recomputation from the file on %s",
    async (snapshotDate) => {
      const warehouse = loaded.warehouse();
      await refreshRfmSnapshot(warehouse, snapshotDate);
      const rows = await warehouse.query<Record<string, number | string>>(
        `select user_id, recency_days, frequency, monetary, recency_score, frequency_score, monetary_score
         from snapshots.rfm_daily where snapshot_date = @snapshot_date order by user_id`,
        { snapshot_date: { date: snapshotDate } },
      );
      const truth = computeRfmScores(truthFromFile(), epochDay(snapshotDate));
      expect(rows).toHaveLength(truth.size);
      for (const row of rows) {
        const expected = truth.get(String(row.user_id));
        expect({ ...row, monetary: Number(row.monetary) }).toEqual({
          user_id: row.user_id,
          ...expected,
        });
      }
    },
  );
});

describe("the marts of a loaded orders file", () => {
  const loaded = loadedWarehouse();
  const RUN_DATE = "1998-06-30";
  const FROM_DATE = "1997-01-01";
  const coverage = martCoverage(ABSENT_FROM_ORDERS);
  const built = MARTS.filter((m) => coverage.get(m.name)?.status === "built").map((m) => m.name);
  let marts: Awaited<ReturnType<typeof runMarts>>;
  let truth: ReturnType<typeof computeShopTruth>;
  beforeAll(async () => {
    const warehouse = loaded.warehouse();
    marts = await runMarts(warehouse, { runDate: RUN_DATE, fromDate: FROM_DATE });
    const nullColumns = Object.fromEntries(
      [...coverage].map(([name, c]) => [name, c.status === "built" ? c.nullColumns : []]),
    );
    truth = computeShopTruth(
      truthFromFile(),
      RUN_DATE,
      MART_PARAMETERS,
      await warehouse.query<SegmentMapRow>("select * from snapshots.rfm_segment_map"),
      FROM_DATE,
      await warehouse.query<ClvFitRow>("select * from snapshots.clv_fit"),
      nullColumns,
    );
  }, 120_000);

  it("builds the order-based marts and leaves out those that need visits or promotions", () => {
    expect(built.sort()).toEqual(
      [
        "dm_acquisition_quality",
        "dm_behavior_consistency",
        "dm_category_performance",
        "dm_churn_risk",
        "dm_clv_segments",
        "dm_kpi_daily",
        "dm_ltv_distribution",
        "dm_ltv_lorenz",
        "dm_rfm_segments",
        "dm_user_purchase_summary",
        "rfm_daily",
        "rfm_segment_map",
      ].sort(),
    );
    const skipped = Object.fromEntries(
      marts.filter((m) => m.skipped).map((m) => [m.name, m.skipped]),
    );
    expect(skipped).toEqual({
      dm_funnel_sessions: "not in this source (needs events, sessions)",
      dm_funnel_daily: "not in this source (needs events, sessions)",
      dm_cohort_retention: "not in this source (needs sessions)",
      dm_tradeoff_summary: "not in this source (needs sessions)",
      dm_promo_effect: "not in this source (needs promo_calendar, sessions)",
      dm_campaign_users: "not in this source (needs campaign_exposures, sessions)",
      dm_campaign_summary: "not in this source (needs campaign_exposures, sessions)",
      dm_campaign_roi: "not in this source (needs campaign_exposures, sessions)",
      dm_stat_tests: "not in this source (needs campaign_exposures, sessions)",
    });
  });

  it.each(
    (Object.keys(ORACLE_KEYS) as OracleMart[]).filter(
      (name) => martCoverage(ABSENT_FROM_ORDERS).get(name)?.status === "built",
    ),
  )("%s equals an independent recomputation from the file, column by column", async (name) => {
    const decl = MARTS.find((m) => m.name === name)!;
    const rows = await readMartRows(loaded.warehouse().connection, decl.dataset, decl.name);
    expect(rows.length).toBeGreaterThan(0);
    expect(compareWithOracle(rows, truth[name], ORACLE_KEYS[name])).toEqual([]);
  });

  it("leaves what needs sessions, promotions or subscriptions null, never zero or false", async () => {
    for (const [name, c] of coverage) {
      if (c.status !== "built" || c.nullColumns.length === 0) continue;
      const decl = MARTS.find((m) => m.name === name)!;
      const [row] = await loaded.warehouse().query<Record<string, number>>(
        `select count(*) as n, ${c.nullColumns.map((col) => `count(${col}) as ${col}`).join(", ")}
         from ${decl.dataset}.${decl.name}`,
      );
      expect(Number(row!.n)).toBeGreaterThan(0);
      for (const col of c.nullColumns)
        expect([name, col, Number(row![col])]).toEqual([name, col, 0]);
    }
  });

  it("does not build a mart that is not in the source: no table of zeros", async () => {
    for (const m of [
      "dm_funnel_sessions",
      "dm_funnel_daily",
      "dm_cohort_retention",
      "dm_tradeoff_summary",
      "dm_promo_effect",
      "dm_campaign_users",
      "dm_campaign_summary",
      "dm_campaign_roi",
      "dm_stat_tests",
    ]) {
      const read = loaded.warehouse().query(`select count(*) as n from marts.${m}`);
      await expect(
        read.then(
          () => "built",
          (e: unknown) => isMissingTable(e),
        ),
      ).resolves.toBe(true);
    }
  });
});
