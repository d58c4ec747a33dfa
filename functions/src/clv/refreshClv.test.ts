import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { generateAndLoad } from "../pipeline/generateAndLoad";
import { readMappingFile } from "../orders/mapping";
import { ordersToWarehouse } from "../orders/ordersToWarehouse";
import { CDNOW_MAPPING_FILE } from "../orders/testing/fixtures";
import { expectedTransactions, probabilityAlive } from "./bgnbd";
import { expectedAverageValue } from "./gammaGamma";
import { HAND_FIXTURE_RUN_DATE, loadHandFixture } from "../marts/testing/handFixture";
import { openTestWarehouse } from "../marts/testing/testWarehouse";
import { ClvRefreshError, refreshClvSnapshot } from "./refreshClv";
import {
  CDNOW_CALIBRATION_END,
  CDNOW_FILE,
  CDNOW_PUBLISHED,
  historiesFromTransactions,
  readCdnowRows,
} from "./testing/cdnow";

let dir: string;
let warehouse: DuckDbWarehouse;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "clv-step-"));
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

/** `value` rounded to the number of decimals `published` is given with. */
const toPublishedDigits = (value: number, published: number) =>
  Number(value.toFixed((String(published).split(".")[1] ?? "").length));

describe("the CLV step on the CDNOW sample, loaded through the orders loader", () => {
  it("fits weeks 1-39 to the published parameters and log-likelihood", async () => {
    const summary = await refreshClvSnapshot(warehouse, CDNOW_CALIBRATION_END);
    expect(summary.status).toBe("fitted");
    expect(summary.customers).toBe(CDNOW_PUBLISHED.customers);
    const bg = CDNOW_PUBLISHED.bgnbd;
    for (const name of ["r", "alpha", "a", "b"] as const)
      expect(toPublishedDigits(summary.bgnbd!.params[name], bg[name])).toBe(bg[name]);
    expect(Math.abs(summary.bgnbd!.logLikelihood - bg.logLikelihood)).toBeLessThanOrEqual(0.1);
    const gg = CDNOW_PUBLISHED.gammaGamma;
    expect(summary.gammaGamma!.customers).toBe(gg.repeatBuyers);
    for (const name of ["p", "q", "gamma"] as const)
      expect(toPublishedDigits(summary.gammaGamma!.params[name], gg[name])).toBe(gg[name]);

    const [fit] = await warehouse.query<Record<string, number>>(
      "select * from snapshots.clv_fit where snapshot_date = date '1997-09-30'",
    );
    expect(fit!.bgnbd_log_likelihood).toBeCloseTo(summary.bgnbd!.logLikelihood, 9);
    expect(fit!.repeat_buyers).toBe(gg.repeatBuyers);
  });

  it("writes one row per customer equal to the models applied to the file's own histories", async () => {
    const summary = await refreshClvSnapshot(warehouse, CDNOW_CALIBRATION_END);
    const truth = historiesFromTransactions(
      readCdnowRows().map((r) => ({ customer: r.customer, date: r.date, amount: r.dollars })),
      CDNOW_CALIBRATION_END,
    );
    const rows = await warehouse.query<Record<string, number | string>>(
      "select * from snapshots.clv_daily where snapshot_date = date '1997-09-30' order by user_id",
    );
    expect(rows.map((r) => r.user_id)).toEqual(truth.map((t) => t.customer));
    const bg = summary.bgnbd!.params;
    const gg = summary.gammaGamma!.params;
    rows.forEach((row, i) => {
      const h = truth[i]!;
      expect(row.frequency).toBe(h.frequency);
      expect(row.recency_weeks).toBeCloseTo(h.recency, 9);
      expect(row.age_weeks).toBeCloseTo(h.age, 9);
      expect(row.monetary).toBeCloseTo(h.monetary, 6);
      expect(row.p_alive).toBeCloseTo(probabilityAlive(bg, h), 9);
      expect(row.expected_transactions_180d).toBeCloseTo(expectedTransactions(bg, h, 180 / 7), 9);
      const value = expectedAverageValue(gg, h);
      expect(row.expected_value_per_transaction).toBeCloseTo(value, 6);
      expect(row.predicted_clv_365d).toBeCloseTo(expectedTransactions(bg, h, 365 / 7) * value, 6);
    });
  });

  it("replaces its snapshot date's rows when run again", async () => {
    await refreshClvSnapshot(warehouse, CDNOW_CALIBRATION_END);
    await refreshClvSnapshot(warehouse, CDNOW_CALIBRATION_END);
    const [counts] = await warehouse.query<{ daily: number; fits: number }>(
      `select
           (select count(*) from snapshots.clv_daily where snapshot_date = date '1997-09-30') as daily,
           (select count(*) from snapshots.clv_fit where snapshot_date = date '1997-09-30') as fits`,
    );
    expect(counts).toEqual({ daily: CDNOW_PUBLISHED.customers, fits: 1 });
  });

  it("skips a date with no repeat buyer yet, leaving that date without predictions", async () => {
    const summary = await refreshClvSnapshot(warehouse, "1997-01-01");
    expect(summary.status).toBe("skipped");
    expect(summary.reason).toContain("no repeat buyer");
    const [row] = await warehouse.query<{ daily: number; fits: number; other: number }>(
      `select
           (select count(*) from snapshots.clv_daily where snapshot_date = date '1997-01-01') as daily,
           (select count(*) from snapshots.clv_fit where snapshot_date = date '1997-01-01') as fits,
           (select count(*) from snapshots.clv_fit where snapshot_date <> date '1997-01-01') as other`,
    );
    expect(row).toEqual({ daily: 0, fits: 0, other: 1 });
  });

  it("refuses a date that is not a calendar day", async () => {
    await expect(refreshClvSnapshot(warehouse, "1997-02-30")).rejects.toThrow(ClvRefreshError);
  });
});

describe("the CLV step on a handful of buyers", () => {
  it("skips a fit whose predictions are not finite numbers, rather than write them", async () => {
    const small = await openTestWarehouse();
    try {
      await loadHandFixture(small.connection);
      const summary = await refreshClvSnapshot(small, HAND_FIXTURE_RUN_DATE);
      expect(summary.status).toBe("skipped");
      expect(summary.reason).toMatch(
        /^the BG\/NBD fit on 11 buyer\(s\) .* degenerated .* too little data$/,
      );
      const [row] = await small.query<{ n: number }>(
        "select count(*) as n from snapshots.clv_daily",
      );
      expect(Number(row!.n)).toBe(0);
    } finally {
      await small.close();
    }
  });
});

describe("the CLV step on the first weeks of a shop", () => {
  it("refuses a fit on the edge of the parameter space before predicting: it returns at once", async () => {
    // Seed 11's shop on its 20th day: 12 buyers, a maximum at a = 2.6e305, where the
    // predictions' hypergeometric series ran for hours (the replay stopped there).
    const dir = await mkdtemp(join(tmpdir(), "clv-edge-"));
    const warehouse = await DuckDbWarehouse.open({ path: ":memory:" });
    try {
      await generateAndLoad(
        {
          seed: 11,
          users: 6_000,
          startDate: "2024-02-15",
          dateRange: { start: "2024-02-15", end: "2024-03-05" },
        },
        { lake: new LocalLake(join(dir, "lake")), warehouse },
      );
      const summary = await refreshClvSnapshot(warehouse, "2024-03-05");
      expect(summary.status).toBe("skipped");
      expect(summary.reason).toMatch(
        /^the BG\/NBD fit on \d+ buyer\(s\) up to 2024-03-05 degenerated .*: \w+ is outside 0\.000001\.\.1000000; too little data$/,
      );
    } finally {
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
