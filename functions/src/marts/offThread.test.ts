import { computeClv, type HistoryRow } from "../clv/refreshClv";
import { statTestRows, type StatTestInputs } from "../statTests/refreshStatTests";
import {
  CDNOW_CALIBRATION_END,
  historiesFromTransactions,
  readCdnowRows,
} from "../clv/testing/cdnow";
import { Worker } from "node:worker_threads";
import { OffThread } from "./offThread";

/** CDNOW's 2,357 buyers up to the end of its calibration period, as the history SQL returns them. */
function histories(): HistoryRow[] {
  const rows = readCdnowRows().map((r) => ({
    customer: r.customer,
    date: r.date,
    amount: r.dollars,
  }));
  return historiesFromTransactions(rows, CDNOW_CALIBRATION_END).map((h) => ({
    user_id: h.customer,
    first_purchase_date: "1997-01-01",
    frequency: h.frequency,
    recency_days: h.recency * 7,
    age_days: h.age * 7,
    monetary: h.monetary,
    revenue: h.monetary * (h.frequency + 1),
  }));
}

/** Groups of the trade-off questions, as the inputs' SQL returns them: enough for a bootstrap. */
function statInputs(): StatTestInputs {
  const values = (n: number, scale: number, rate: number) =>
    Array.from({ length: n }, (_, i) => (i % 100 < rate * 100 ? ((i * 7919) % 1000) * scale : 0));
  const group = (question: string, label: string, v: number[]) => ({
    question,
    group_label: label,
    group_values: v,
  });
  return {
    runDate: "2025-12-31",
    tradeoff: [
      group("ltv_180d by user_type", "A", values(300, 0.05, 0.3)),
      group("ltv_180d by user_type", "B", values(250, 0.2, 0.2)),
      group(
        "is_converted_14d by user_type",
        "A",
        values(300, 0.001, 0.3).map((x) => (x > 0 ? 1 : 0)),
      ),
      group(
        "is_converted_14d by user_type",
        "B",
        values(250, 0.001, 0.1).map((x) => (x > 0 ? 1 : 0)),
      ),
      group("ltv_180d by consistency_tier", "High", values(200, 0.2, 0.5)),
      group("ltv_180d by consistency_tier", "Low", values(200, 0.1, 0.5)),
    ],
    campaigns: [],
  };
}

let offThread: OffThread;
beforeEach(() => {
  offThread = new OffThread();
});
afterEach(() => offThread.close());

describe("OffThread", () => {
  it("computes the CLV fit in the worker exactly as on the calling thread", async () => {
    const rows = histories();
    const here = computeClv(rows, "1997-09-30", "2026-01-01T00:00:00.000Z");
    expect(here.status).toBe("fitted");
    const there = await offThread.run(
      "clv",
      { rows, snapshotDate: "1997-09-30", fittedAt: "2026-01-01T00:00:00.000Z" },
      rows.length,
      0,
    );
    expect(there).toEqual(here);
  });

  it("computes the significance tests in the worker exactly as on the calling thread", async () => {
    const inputs = statInputs();
    const there = await offThread.run("statTests", inputs, 1, 0);
    expect(there.map((row) => row.method)).toContain("bootstrap_bca");
    expect(there).toEqual(statTestRows(inputs));
  });

  it("answers on the calling thread below the row threshold, with no worker to wait for", async () => {
    const rows = histories();
    const input = { rows, snapshotDate: "1997-09-30", fittedAt: "2026-01-01T00:00:00.000Z" };
    const below = offThread.run("clv", input, rows.length, rows.length + 1);
    const above = offThread.run("clv", input, rows.length, rows.length);
    // Closing stops the worker: only the call that went to it is left unanswered.
    const unanswered = expect(above).rejects.toThrow(/closed before it answered/);
    await offThread.close();
    await expect(below).resolves.toMatchObject({ status: "fitted" });
    await unanswered;
  });

  it("stops the worker once the calls made before retiring it are answered, and starts another later", async () => {
    const terminate = jest.spyOn(Worker.prototype, "terminate");
    try {
      const first = offThread.run("statTests", statInputs(), 1, 0);
      offThread.retireWhenIdle();
      expect(terminate).not.toHaveBeenCalled();
      await expect(first).resolves.toEqual(statTestRows(statInputs()));
      expect(terminate).toHaveBeenCalledTimes(1);
      await expect(offThread.run("statTests", statInputs(), 1, 0)).resolves.toEqual(
        statTestRows(statInputs()),
      );
    } finally {
      terminate.mockRestore();
    }
  });

  it("rejects a call whose computation throws, with the computation's message", async () => {
    const broken = {
      runDate: "2025-12-31",
      tradeoff: null,
      campaigns: [],
    } as unknown as StatTestInputs;
    let message = "";
    try {
      statTestRows(broken);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe("");
    await expect(offThread.run("statTests", broken, 1, 0)).rejects.toThrow(message);
    // The worker goes on answering.
    await expect(offThread.run("statTests", statInputs(), 1, 0)).resolves.toEqual(
      statTestRows(statInputs()),
    );
  });
});
