import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { generateAndLoad } from "./generateAndLoad";
import { pruneOutsideRange } from "./pruneOutsideRange";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "prune-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("pruneOutsideRange", () => {
  it("drops lake files and warehouse rows dated outside a shorter horizon, and nothing inside", async () => {
    const lake = new LocalLake(join(dir, "lake"));
    const warehouse = await DuckDbWarehouse.open({ path: join(dir, "w.duckdb") });
    try {
      const world = { seed: 3, users: 100, startDate: "2024-01-01", endDate: "2024-02-29" };
      await generateAndLoad(world, { lake, warehouse });
      // Events on the very edges of the range, in UTC, to pin the bounds of the timestamp compare.
      const edges = {
        before: "2024-01-09 23:59:59.999999+00",
        first: "2024-01-10 00:00:00+00",
        last: "2024-02-15 23:59:59.999999+00",
        after: "2024-02-16 00:00:00+00",
      };
      for (const [name, ts] of Object.entries(edges)) {
        await warehouse.connection.run(
          `insert into raw.events select * replace ('EDGE_${name}' as event_id, timestamptz '${ts}' as event_ts) from raw.events limit 1`,
        );
      }
      const inside = await warehouse.query(
        "select count(*) as n from raw.events where date(event_ts) between '2024-01-10' and '2024-02-15'",
      );
      const { files } = await pruneOutsideRange(
        { lake, warehouse },
        { start: "2024-01-10", end: "2024-02-15" },
      );
      // five partitioned tables, 9 days before and 14 after the range
      expect(files).toBe(5 * (9 + 14));
      expect((await lake.list("raw/events/")).map((o) => o.path).slice(0, 1)).toEqual([
        "raw/events/dt=2024-01-10/part-0-of-1.parquet",
      ]);
      expect(await lake.list("raw/products/")).toHaveLength(1);
      expect(await warehouse.query("select count(*) as n from raw.events")).toEqual(inside);
      const kept = await warehouse.query<{ event_id: string }>(
        "select event_id from raw.events where starts_with(event_id, 'EDGE_') order by 1",
      );
      expect(kept.map((r) => r.event_id)).toEqual(["EDGE_first", "EDGE_last"]);
      const [orders] = await warehouse.query<{ first: string; last: string }>(
        "select cast(min(date(order_ts)) as string) as first, cast(max(date(order_ts)) as string) as last from raw.orders",
      );
      expect(orders!.first >= "2024-01-10" && orders!.last <= "2024-02-15").toBe(true);
    } finally {
      await warehouse.close();
    }
  });
});
