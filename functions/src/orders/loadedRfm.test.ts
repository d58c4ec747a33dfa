import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { CDNOW_FILE, readCdnowRows } from "../clv/testing/cdnow";
import { epochDay, type TruthRaw } from "../marts/truth/rawRows";
import { computeRfmScores } from "../marts/truth/rfmScores";
import { refreshRfmSnapshot } from "../rfm/refreshRfm";
import { readMappingFile } from "./mapping";
import { ordersToWarehouse } from "./ordersToWarehouse";
import { CDNOW_MAPPING_FILE } from "./testing/fixtures";

let dir: string;
let warehouse: DuckDbWarehouse;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "loaded-rfm-"));
  warehouse = await DuckDbWarehouse.open({ path: ":memory:" });
  await ordersToWarehouse(CDNOW_FILE, readMappingFile(CDNOW_MAPPING_FILE), {
    lake: new LocalLake(join(dir, "lake")),
    warehouse,
  });
});
afterAll(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * The raw rows the truth computations take, built from the CDNOW text itself rather than from
 * the loaded tables: a customer's rows on one day are one order, the customer signs up on the
 * first day. A loader bug cannot then hide in the oracle.
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
      product_id: "",
      quantity: 1,
      line_amount: r.dollars,
      is_promo: false,
      order_day: day,
    };
  });
  return {
    users: [...firstDay].map(([user_id, signup_day]) => ({
      user_id,
      signup_day,
      user_type: "",
      device: "",
      region: "",
      marketing_source: "",
      is_anomaly: false,
    })),
    products: [],
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
  it.each(["1997-09-30", "1998-06-30"])(
    "equals an independent recomputation from the file on %s",
    async (snapshotDate) => {
      await refreshRfmSnapshot(warehouse, snapshotDate);
      const loaded = await warehouse.query<Record<string, number | string>>(
        `select user_id, recency_days, frequency, monetary, recency_score, frequency_score, monetary_score
         from snapshots.rfm_daily where snapshot_date = @snapshot_date order by user_id`,
        { snapshot_date: { date: snapshotDate } },
      );
      const truth = computeRfmScores(truthFromFile(), epochDay(snapshotDate));
      expect(loaded).toHaveLength(truth.size);
      for (const row of loaded) {
        const expected = truth.get(String(row.user_id));
        expect({ ...row, monetary: Number(row.monetary) }).toEqual({
          user_id: row.user_id,
          ...expected,
        });
      }
    },
  );
});
