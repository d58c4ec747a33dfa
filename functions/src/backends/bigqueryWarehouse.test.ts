import { bigQuerySchema, RAW_TABLES } from "../contract";
import { martByName } from "../marts/catalog";
import {
  BigQueryWarehouse,
  MAX_URIS_PER_LOAD_JOB,
  jsonSafe,
  partitionDecorator,
  type BigQueryClientLike,
  type BigQueryJobLike,
} from "./bigqueryWarehouse";

interface Recorded {
  createJob: { configuration: Record<string, unknown>; location: string; jobPrefix: string }[];
  other: string[];
}

/**
 * A BigQuery-shaped recorder: jobs complete at once with the given statistics, or fail when
 * `failWhen` matches their configuration; datasets and tables exist as listed.
 */
function recordingClient(
  options: {
    existing?: string[];
    rows?: Record<string, unknown>[];
    failWhen?: (configuration: Record<string, unknown>) => boolean;
  } = {},
) {
  const existing = new Set(options.existing ?? []);
  const recorded: Recorded = { createJob: [], other: [] };
  let n = 0;
  const client: BigQueryClientLike = {
    async createJob(request) {
      recorded.createJob.push(request);
      const id = `${request.jobPrefix}${++n}`;
      const failing = options.failWhen?.(request.configuration) ?? false;
      const job: BigQueryJobLike = {
        id,
        metadata: { statistics: { load: { outputRows: "12" } } },
        async promise() {
          if (failing) throw new Error(`job ${id} failed`);
          return [];
        },
        async getQueryResults(o) {
          return [o?.maxResults === 0 ? [] : (options.rows ?? []), null, { totalRows: "3" }];
        },
      };
      return [job];
    },
    dataset(datasetId) {
      return {
        async exists() {
          return [existing.has(datasetId)];
        },
        async create(o) {
          recorded.other.push(`create dataset ${datasetId} in ${o.location}`);
          existing.add(datasetId);
        },
        table(tableId) {
          return {
            async exists() {
              return [existing.has(`${datasetId}.${tableId}`)];
            },
            async delete() {
              recorded.other.push(`delete ${datasetId}.${tableId}`);
              if (!existing.has(`${datasetId}.${tableId}`)) {
                throw Object.assign(new Error("Not found"), { code: 404 });
              }
            },
          };
        },
        async createTable(tableId, o) {
          recorded.other.push(`create table ${datasetId}.${tableId} ${JSON.stringify(o)}`);
          existing.add(`${datasetId}.${tableId}`);
        },
      };
    },
  };
  return { client, recorded };
}

const OPTIONS = {
  project: "shop-dev",
  location: "EU",
  datasets: { raw: "raw_pr_7", marts: "marts_pr_7", snapshots: "snapshots_pr_7" },
};

describe("partitionDecorator", () => {
  it("appends the day without dashes", () => {
    expect(partitionDecorator("events", "2024-06-01")).toBe("events$20240601");
  });
  it("rejects a date that is not YYYY-MM-DD", () => {
    expect(() => partitionDecorator("events", "2024-6-1")).toThrow(/YYYY-MM-DD/);
  });
});

describe("BigQueryWarehouse.replacePartitions", () => {
  it("loads a day with one WRITE_TRUNCATE Parquet job into the partition decorator", async () => {
    const { client, recorded } = recordingClient();
    const warehouse = new BigQueryWarehouse(client, OPTIONS);
    const uris = [
      "gs://lake/raw/events/dt=2024-06-01/part-0-of-2.parquet",
      "gs://lake/raw/events/dt=2024-06-01/part-1-of-2.parquet",
    ];
    const report = await warehouse.replacePartitions([
      { table: "events", partition: "2024-06-01", uris },
    ]);
    expect(recorded.createJob).toEqual([
      {
        location: "EU",
        jobPrefix: "load_events_20240601_",
        configuration: {
          load: {
            sourceUris: uris,
            sourceFormat: "PARQUET",
            destinationTable: {
              projectId: "shop-dev",
              datasetId: "raw_pr_7",
              tableId: "events$20240601",
            },
            writeDisposition: "WRITE_TRUNCATE",
            createDisposition: "CREATE_NEVER",
            schema: { fields: bigQuerySchema(RAW_TABLES.events) },
            timePartitioning: { type: "DAY", field: "event_ts" },
            clustering: { fields: ["user_id", "event_type"] },
          },
        },
      },
    ]);
    expect(report).toEqual({ jobs: ["load_events_20240601_1"], rows: { events: 12 } });
  });

  it("replaces a dimension table whole, without a decorator or partitioning", async () => {
    const { client, recorded } = recordingClient();
    await new BigQueryWarehouse(client, OPTIONS).replacePartitions([
      { table: "products", partition: null, uris: ["gs://lake/raw/products/part-0-of-1.parquet"] },
    ]);
    const load = (recorded.createJob[0]!.configuration as { load: Record<string, unknown> }).load;
    expect(load.destinationTable).toEqual({
      projectId: "shop-dev",
      datasetId: "raw_pr_7",
      tableId: "products",
    });
    expect(load.writeDisposition).toBe("WRITE_TRUNCATE");
    expect(load.timePartitioning).toBeUndefined();
    expect(load.schema).toEqual({ fields: bigQuerySchema(RAW_TABLES.products) });
  });

  it("loads up to two days of a table into their partitions, and more as one staging load and one transaction", async () => {
    const { client, recorded } = recordingClient();
    const report = await new BigQueryWarehouse(client, {
      ...OPTIONS,
      uniqueSuffix: () => "u1",
    }).replacePartitions([
      { table: "orders", partition: "2024-06-01", uris: ["gs://l/a"] },
      { table: "orders", partition: "2024-06-02", uris: ["gs://l/b"] },
      { table: "orders", partition: "2024-06-03", uris: [] },
      { table: "users", partition: "2024-06-01", uris: ["gs://l/c"] },
      { table: "users", partition: "2024-06-02", uris: ["gs://l/d"] },
    ]);
    // Tables load side by side; a table's staging load comes before its swap.
    const prefixes = recorded.createJob.map((j) => j.jobPrefix);
    expect([...prefixes].sort()).toEqual([
      "load_users_20240601_",
      "load_users_20240602_",
      "replace_orders_",
      "stage_orders_",
    ]);
    expect(prefixes.indexOf("stage_orders_")).toBeLessThan(prefixes.indexOf("replace_orders_"));
    const stage = (recorded.createJob[0]!.configuration as { load: Record<string, unknown> }).load;
    expect(stage).toMatchObject({
      sourceUris: ["gs://l/a", "gs://l/b"],
      destinationTable: {
        projectId: "shop-dev",
        datasetId: "raw_pr_7",
        tableId: "_staging_orders_20240601_u1",
      },
      writeDisposition: "WRITE_TRUNCATE",
      createDisposition: "CREATE_IF_NEEDED",
      schema: { fields: bigQuerySchema(RAW_TABLES.orders) },
    });
    expect(report.rows).toEqual({ orders: 12, users: 24 });
    expect(report.jobs).toHaveLength(4);
    // The staging table goes once the days are swapped in.
    expect(recorded.other).toEqual(["delete raw_pr_7._staging_orders_20240601_u1"]);
  });

  it("swaps the days in one transaction over the partition column's range and the exact days", async () => {
    const { client, recorded } = recordingClient();
    await new BigQueryWarehouse(client, { ...OPTIONS, uniqueSuffix: () => "u1" }).replacePartitions(
      [
        { table: "events", partition: "2024-06-03", uris: ["gs://l/b"] },
        { table: "events", partition: "2024-06-01", uris: ["gs://l/a"] },
        { table: "events", partition: "2024-06-02", uris: [] },
      ],
    );
    const query = (recorded.createJob[1]!.configuration as { query: Record<string, unknown> })
      .query;
    const columns = RAW_TABLES.events.columns.map((c) => c.name).join(", ");
    expect(query.query).toBe(
      [
        "begin transaction;",
        "delete from raw_pr_7.events where event_ts >= timestamp(@first_day) and event_ts < timestamp(date_add(@last_day, interval 1 day)) and date(event_ts) in unnest(@days);",
        `insert into raw_pr_7.events (${columns}) select ${columns} from raw_pr_7._staging_events_20240601_u1;`,
        "commit transaction;",
      ].join("\n"),
    );
    expect(query.queryParameters).toEqual([
      {
        name: "first_day",
        parameterType: { type: "DATE" },
        parameterValue: { value: "2024-06-01" },
      },
      {
        name: "last_day",
        parameterType: { type: "DATE" },
        parameterValue: { value: "2024-06-03" },
      },
      {
        name: "days",
        parameterType: { type: "ARRAY", arrayType: { type: "DATE" } },
        parameterValue: {
          arrayValues: [{ value: "2024-06-01" }, { value: "2024-06-02" }, { value: "2024-06-03" }],
        },
      },
    ]);
  });

  it("filters a DATE partition column by itself, and empties days without files by the delete alone", async () => {
    const warehouse = new BigQueryWarehouse(recordingClient().client, OPTIONS);
    expect(warehouse.stagedReplaceSql("order_items", null)).toBe(
      [
        "begin transaction;",
        "delete from raw_pr_7.order_items where order_date between @first_day and @last_day and order_date in unnest(@days);",
        "commit transaction;",
      ].join("\n"),
    );
    const { client, recorded } = recordingClient();
    await new BigQueryWarehouse(client, OPTIONS).replacePartitions([
      { table: "order_items", partition: "2024-06-01", uris: [] },
      { table: "order_items", partition: "2024-06-02", uris: [] },
      { table: "order_items", partition: "2024-06-03", uris: [] },
    ]);
    expect(recorded.createJob.map((j) => j.jobPrefix)).toEqual(["replace_order_items_"]);
    expect(recorded.other).toEqual([]);
  });

  it("splits more files than a load job takes into appending loads of the same staging table", async () => {
    const { client, recorded } = recordingClient();
    const uris = Array.from({ length: MAX_URIS_PER_LOAD_JOB + 5 }, (_, i) => `gs://l/${i}`);
    await new BigQueryWarehouse(client, OPTIONS).replacePartitions([
      { table: "sessions", partition: "2024-06-01", uris: uris.slice(0, 10) },
      { table: "sessions", partition: "2024-06-02", uris: uris.slice(10, 20) },
      { table: "sessions", partition: "2024-06-03", uris: uris.slice(20) },
    ]);
    const loads = recorded.createJob
      .filter((j) => j.jobPrefix === "stage_sessions_")
      .map(
        (j) =>
          (j.configuration as { load: { writeDisposition: string; sourceUris: string[] } }).load,
      );
    expect(loads.map((l) => [l.writeDisposition, l.sourceUris.length])).toEqual([
      ["WRITE_TRUNCATE", MAX_URIS_PER_LOAD_JOB],
      ["WRITE_APPEND", 5],
    ]);
  });

  it("drops the staging table and leaves the target untouched when the swap fails", async () => {
    const { client, recorded } = recordingClient({
      failWhen: (c) => JSON.stringify(c).includes("begin transaction"),
    });
    await expect(
      new BigQueryWarehouse(client, { ...OPTIONS, uniqueSuffix: () => "u2" }).replacePartitions([
        { table: "orders", partition: "2024-06-01", uris: ["gs://l/a"] },
        { table: "orders", partition: "2024-06-02", uris: ["gs://l/b"] },
        { table: "orders", partition: "2024-06-03", uris: ["gs://l/c"] },
      ]),
    ).rejects.toThrow(/failed/);
    expect(recorded.other).toEqual(["delete raw_pr_7._staging_orders_20240601_u2"]);
  });

  it("empties a day with no files by deleting that partition, never the table", async () => {
    const { client, recorded } = recordingClient({ existing: ["raw_pr_7.orders$20240601"] });
    const report = await new BigQueryWarehouse(client, OPTIONS).replacePartitions([
      { table: "orders", partition: "2024-06-01", uris: [] },
    ]);
    expect(recorded.createJob).toEqual([]);
    expect(recorded.other).toEqual(["delete raw_pr_7.orders$20240601"]);
    expect(report).toEqual({ jobs: ["delete:orders$20240601"], rows: { orders: 0 } });
  });

  it("refuses a day partition for a table that is replaced whole", async () => {
    const { client } = recordingClient();
    await expect(
      new BigQueryWarehouse(client, OPTIONS).replacePartitions([
        { table: "products", partition: "2024-06-01", uris: ["gs://l/a"] },
      ]),
    ).rejects.toThrow(/no partition column/);
  });

  it("lets every other load finish, then reports the failed one", async () => {
    const { client, recorded } = recordingClient({
      failWhen: (c) => JSON.stringify(c).includes("users$20240602"),
    });
    await expect(
      new BigQueryWarehouse(client, { ...OPTIONS, loadConcurrency: 1 }).replacePartitions([
        { table: "orders", partition: "2024-06-02", uris: ["gs://l/a"] },
        { table: "users", partition: "2024-06-02", uris: ["gs://l/b"] },
        { table: "sessions", partition: "2024-06-02", uris: ["gs://l/c"] },
      ]),
    ).rejects.toThrow(/failed/);
    expect(recorded.createJob).toHaveLength(3);
  });
});

describe("BigQueryWarehouse queries", () => {
  it("renders dataset ids and sends DATE parameters typed", async () => {
    const { client, recorded } = recordingClient({ rows: [{ n: 1 }] });
    const rows = await new BigQueryWarehouse(client, OPTIONS).query(
      "select count(*) as n from raw.orders where date(order_ts) = @run_date",
      { run_date: { date: "2024-06-01" }, unused: 3 },
    );
    expect(rows).toEqual([{ n: 1 }]);
    expect(recorded.createJob[0]).toEqual({
      location: "EU",
      jobPrefix: "query_",
      configuration: {
        query: {
          query: "select count(*) as n from raw_pr_7.orders where date(order_ts) = @run_date",
          useLegacySql: false,
          parameterMode: "NAMED",
          queryParameters: [
            {
              name: "run_date",
              parameterType: { type: "DATE" },
              parameterValue: { value: "2024-06-01" },
            },
          ],
        },
      },
    });
  });

  it("rejects a missing SQL parameter by name before any job runs", async () => {
    const { client, recorded } = recordingClient();
    await expect(
      new BigQueryWarehouse(client, OPTIONS).query("select @snapshot_date as d", {}),
    ).rejects.toThrow(/@snapshot_date/);
    expect(recorded.createJob).toEqual([]);
  });

  it("materializes into a date partition with WRITE_TRUNCATE", async () => {
    const { client, recorded } = recordingClient();
    const result = await new BigQueryWarehouse(client, OPTIONS).materialize(
      {
        dataset: "snapshots",
        table: "rfm_snapshot_daily",
        partition: { column: "snapshot_date", date: "2024-06-30" },
      },
      "select * from marts.x where d = @snapshot_date",
      { snapshot_date: { date: "2024-06-30" } },
    );
    expect(result).toEqual({ rows: 3 });
    const q = (recorded.createJob[0]!.configuration as { query: Record<string, unknown> }).query;
    expect(q.query).toBe("select * from marts_pr_7.x where d = @snapshot_date");
    expect(q.destinationTable).toEqual({
      projectId: "shop-dev",
      datasetId: "snapshots_pr_7",
      tableId: "rfm_snapshot_daily$20240630",
    });
    expect(q.writeDisposition).toBe("WRITE_TRUNCATE");
    expect(q.timePartitioning).toEqual({ type: "DAY", field: "snapshot_date" });
  });

  it("materializes a declared mart with its pre-created table's partitioning and clustering", async () => {
    const { client, recorded } = recordingClient();
    const warehouse = new BigQueryWarehouse(client, OPTIONS);
    await warehouse.materialize(
      {
        dataset: "snapshots",
        table: "rfm_daily",
        partition: { column: "snapshot_date", date: "2024-06-30" },
      },
      "select 1 as x",
    );
    await warehouse.materialize(
      { dataset: "snapshots", table: "rfm_segment_map" },
      "select 1 as x",
    );
    const [daily, map] = recorded.createJob.map(
      (j) => (j.configuration as { query: Record<string, unknown> }).query,
    );
    const decl = martByName("rfm_daily");
    expect(daily!.timePartitioning).toEqual({
      type: decl.partitioning!.granularity,
      field: decl.partitioning!.column,
    });
    expect(daily!.clustering).toEqual({ fields: [...decl.clustering] });
    expect(decl.clustering.length).toBeGreaterThan(0);
    expect(map).not.toHaveProperty("timePartitioning");
    expect(map).not.toHaveProperty("clustering");
  });

  it("runs DML as a query job without a destination", async () => {
    const { client, recorded } = recordingClient();
    await new BigQueryWarehouse(client, OPTIONS).execute("delete from snapshots.h where true");
    const q = (recorded.createJob[0]!.configuration as { query: Record<string, unknown> }).query;
    expect(q).toEqual({ query: "delete from snapshots_pr_7.h where true", useLegacySql: false });
  });
});

describe("BigQueryWarehouse.ensureRawTables", () => {
  it("creates a missing raw dataset in the location, and never touches the others", async () => {
    const { client, recorded } = recordingClient();
    await new BigQueryWarehouse(client, OPTIONS).ensureRawTables();
    expect(recorded.other.filter((o) => o.startsWith("create dataset"))).toEqual([
      "create dataset raw_pr_7 in EU",
    ]);
    expect(recorded.other.filter((o) => /marts_pr_7|snapshots_pr_7/.test(o))).toEqual([]);
  });

  it("creates only the raw tables that are missing, from the contract", async () => {
    const { client, recorded } = recordingClient({
      existing: ["raw_pr_7", "raw_pr_7.users", "raw_pr_7.products"],
    });
    await new BigQueryWarehouse(client, OPTIONS).ensureRawTables();
    expect(recorded.other.filter((o) => o.startsWith("create dataset"))).toEqual([]);
    const tables = recorded.other.filter((o) => o.startsWith("create table"));
    expect(tables.map((t) => t.split(" ")[2])).toEqual([
      "raw_pr_7.promo_calendar",
      "raw_pr_7.sessions",
      "raw_pr_7.events",
      "raw_pr_7.orders",
      "raw_pr_7.order_items",
      "raw_pr_7.subscriptions",
      "raw_pr_7.campaign_exposures",
      // The world manifest, from its own definition beside the contract.
      "raw_pr_7.world_manifest",
    ]);
    const events = JSON.parse(tables[2]!.split(" ").slice(3).join(" "));
    expect(events.requirePartitionFilter).toBe(true);
    expect(events.timePartitioning).toEqual({ type: "DAY", field: "event_ts" });
    expect(events.schema.fields).toEqual(bigQuerySchema(RAW_TABLES.events));
  });
});

describe("jsonSafe", () => {
  it("unwraps BigQuery's typed values to plain JSON", () => {
    class BigQueryDate {
      constructor(readonly value: string) {}
    }
    expect(
      jsonSafe({ d: new BigQueryDate("2024-06-01"), n: 2, a: [new BigQueryDate("x")] }),
    ).toEqual({
      d: "2024-06-01",
      n: 2,
      a: ["x"],
    });
  });
});
