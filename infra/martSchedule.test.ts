import type { MartDeclaration } from "../functions/src/marts/catalog";
import {
  cronAt,
  dependencyLevels,
  isScheduledQueryMart,
  scheduledQueryParams,
} from "./martSchedule";

const daily: MartDeclaration = {
  name: "dm_kpi_daily",
  file: "marts/dm_kpi_daily.sql",
  dataset: "marts",
  description: "One row per day.",
  materialization: { kind: "partition", parameter: "run_date" },
  partitioning: { column: "kpi_date", granularity: "DAY" },
  clustering: [],
};
const whole: MartDeclaration = {
  name: "dm_user_purchase_summary",
  file: "marts/dm_user_purchase_summary.sql",
  dataset: "marts",
  description: "One row per user.",
  materialization: { kind: "table" },
  clustering: ["user_type"],
};
const snapshot: MartDeclaration = {
  ...daily,
  name: "rfm_daily",
  dataset: "snapshots",
  materialization: { kind: "partition", parameter: "snapshot_date" },
};

describe("scheduledQueryParams", () => {
  it("replaces one partition per run date for a per-date mart", () => {
    const params = scheduledQueryParams(daily, "select @run_date as kpi_date");
    expect(params).toEqual({
      query: "select @run_date as kpi_date",
      destination_table_name_template: "dm_kpi_daily$" + "{run_date}",
      write_disposition: "WRITE_TRUNCATE",
    });
  });

  it("leaves partitioning to the pre-created table, so a MONTH-partitioned one is not overridden", () => {
    const monthly: MartDeclaration = {
      ...whole,
      partitioning: { column: "signup_date", granularity: "MONTH" },
    };
    expect(scheduledQueryParams(monthly, "select 1 as x")).not.toHaveProperty("partitioning_field");
  });

  it("replaces the whole table for a full-table mart", () => {
    const params = scheduledQueryParams(whole, "select 1 as x");
    expect(params.destination_table_name_template).toBe("dm_user_purchase_summary");
    expect(params.write_disposition).toBe("WRITE_TRUNCATE");
    expect(params).not.toHaveProperty("partitioning_field");
  });

  it("makes a date-spine mart's first day the run date, outside comments and strings only", () => {
    const spine: MartDeclaration = {
      ...daily,
      materialization: { kind: "partition", parameter: "run_date", fromParameter: "from_date" },
    };
    const sql =
      "-- from @from_date\nselect d from unnest(generate_date_array(@from_date, @run_date)) as d where '@from_date' <> ''";
    expect(scheduledQueryParams(spine, sql).query).toBe(
      "-- from @from_date\nselect d from unnest(generate_date_array(@run_date, @run_date)) as d where '@from_date' <> ''",
    );
    // A per-date mart without a spine keeps its text; a stray @from_date there is refused.
    expect(() => scheduledQueryParams(daily, "select @from_date as d")).toThrow(/@from_date/);
  });

  it("refuses a parameter a scheduled query cannot bind, naming it", () => {
    expect(() => scheduledQueryParams(whole, "select @observation_end as d")).toThrow(
      /@observation_end/,
    );
  });
});

describe("isScheduledQueryMart", () => {
  it("leaves the snapshots dataset to the RFM function", () => {
    const map: MartDeclaration = { ...whole, name: "rfm_segment_map", dataset: "snapshots" };
    expect([daily, whole, snapshot, map].filter(isScheduledQueryMart).map((m) => m.name)).toEqual([
      "dm_kpi_daily",
      "dm_user_purchase_summary",
    ]);
  });
});

describe("dependencyLevels", () => {
  const graph: Record<string, string[]> = { a: [], b: ["a"], c: ["b", "a"], d: [] };

  it("runs a mart one level after the deepest mart it reads", () => {
    expect(dependencyLevels(Object.keys(graph), (n) => graph[n]!)).toEqual({
      a: 0,
      b: 1,
      c: 2,
      d: 0,
    });
  });

  it("ignores reads of marts that are not scheduled", () => {
    expect(dependencyLevels(["b"], () => ["a"])).toEqual({ b: 0 });
  });

  it("rejects a cycle naming its marts", () => {
    const cyclic: Record<string, string[]> = { a: ["b"], b: ["a"] };
    expect(() => dependencyLevels(["a", "b"], (n) => cyclic[n]!)).toThrow(/a -> b -> a/);
  });
});

describe("schedules", () => {
  it("writes the Cloud Scheduler form of a daily time", () => {
    expect(cronAt("03:05")).toBe("5 3 * * *");
    expect(cronAt("00:00")).toBe("0 0 * * *");
  });
});
