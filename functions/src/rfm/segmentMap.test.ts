import type { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { openTestWarehouse } from "../marts/testing/testWarehouse";
import { readSql } from "../sql/sqlFiles";

interface MapRow {
  recency_score: number;
  frequency_score: number;
  monetary_score: number;
  segment: string;
}

let warehouse: DuckDbWarehouse;
let rows: MapRow[];

beforeAll(async () => {
  warehouse = await openTestWarehouse();
  rows = await warehouse.query<MapRow>(readSql("rfm/rfm_segment_map.sql"));
});
afterAll(() => warehouse.close());

describe("the RFM segment mapping table", () => {
  it("maps every (R, F, M) score combination exactly once", () => {
    const expected: string[] = [];
    for (const r of [1, 2, 3, 4, 5])
      for (const f of [3, 4, 5]) for (const m of [1, 2, 3, 4, 5]) expected.push(`${r}${f}${m}`);
    const got = rows.map(
      (row) => `${row.recency_score}${row.frequency_score}${row.monetary_score}`,
    );
    expect(got.sort()).toEqual(expected.sort());
    expect(rows.every((row) => typeof row.segment === "string" && row.segment.length > 0)).toBe(
      true,
    );
  });

  it("uses exactly nine segments, each for at least one combination", () => {
    expect(new Set(rows.map((r) => r.segment)).size).toBe(9);
  });

  it("holds the fixed rule: VIP Champions exactly when R, F and M are all >= 4", () => {
    for (const r of rows) {
      const rule = r.recency_score >= 4 && r.frequency_score >= 4 && r.monetary_score >= 4;
      expect([r, rule]).toEqual([r, r.segment === "VIP Champions"]);
    }
  });

  it("holds the fixed rule: Promising High Value exactly when R >= 4, F = 3, M >= 3", () => {
    for (const r of rows) {
      const rule = r.recency_score >= 4 && r.frequency_score === 3 && r.monetary_score >= 3;
      expect([r, rule]).toEqual([r, r.segment === "Promising High Value"]);
    }
  });

  it("holds the fixed rule: Promising Low Value exactly when R >= 4, F = 3, M <= 2", () => {
    for (const r of rows) {
      const rule = r.recency_score >= 4 && r.frequency_score === 3 && r.monetary_score <= 2;
      expect([r, rule]).toEqual([r, r.segment === "Promising Low Value"]);
    }
  });

  it("puts every buyer silent for more than 545 days in Lost", () => {
    expect(rows.filter((r) => r.recency_score === 1).every((r) => r.segment === "Lost")).toBe(true);
  });
});
