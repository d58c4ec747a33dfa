import { MartDeclaration } from "../../marts/catalog";
import { useEngines } from "./engines";
import { FIXTURE_RUN_DATE, fixtureRowObjects, fixtureRows } from "./fixtures";
import { runDifferential } from "./harness";

const engines = useEngines();

const probe = (name: string, file: string): MartDeclaration => ({
  name,
  file,
  dataset: "marts",
  description: "test probe",
  materialization: { kind: "table" },
  clustering: [],
});

async function run(sqlByFile: Record<string, string>, marts: MartDeclaration[]) {
  return runDifferential(engines.server, engines.db.connection, fixtureRows(), marts, {
    runDate: FIXTURE_RUN_DATE,
    readMartSql: (d) => sqlByFile[d.file]!,
  });
}

describe("the differential harness", () => {
  it("catches a construct whose meaning the translation changes (timestamp_diff in days)", async () => {
    // BigQuery counts whole 24-hour periods; DuckDB's date_diff('day', ...) counts midnights.
    const sql = `select order_id,
    timestamp_diff(order_ts, timestamp '2024-01-10 23:00:00+00', day) as days
from raw.orders`;
    const [outcome] = await run({ "probe.sql": sql }, [probe("dm_probe", "probe.sql")]);
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.differences.join("\n")).toMatch(/days: 13 vs 14/);
  });

  it("feeds each engine its own upstream result to a mart that reads a mart", async () => {
    const sqlByFile = {
      "up.sql": "select user_id, count(*) as orders from raw.orders group by user_id",
      "down.sql":
        "select count(*) as buyers, sum(orders) as orders, max(orders) as most from marts.dm_up",
    };
    const outcomes = await run(sqlByFile, [probe("dm_down", "down.sql"), probe("dm_up", "up.sql")]);
    expect(outcomes.map((o) => [o.name, o.differences, o.error])).toEqual([
      ["dm_up", [], undefined],
      ["dm_down", [], undefined],
    ]);
    const orders = fixtureRowObjects().orders;
    const perUser = new Map<unknown, number>();
    for (const o of orders) perUser.set(o.user_id, (perUser.get(o.user_id) ?? 0) + 1);
    expect(outcomes[1]?.reference?.rows).toEqual([
      [perUser.size, orders.length, Math.max(...perUser.values())],
    ]);
  });

  it("reports a mart one engine cannot run, and the marts downstream of it", async () => {
    const outcomes = await run(
      {
        "bad.sql": "select approx_quantiles(quantity, 2) as q from raw.order_items",
        "after.sql": "select * from marts.dm_bad",
      },
      [probe("dm_bad", "bad.sql"), probe("dm_after", "after.sql")],
    );
    expect(outcomes[0]?.error).toMatch(/Unsupported built-in function: approx_quantiles/);
    expect(outcomes[1]?.error).toMatch(/reads dm_bad/);
  });
});
