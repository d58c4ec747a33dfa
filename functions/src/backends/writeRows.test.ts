import { readFileSync } from "node:fs";
import type { RowsTableDef } from "./types";
import { BigQueryWarehouse, type BigQueryClientLike } from "./bigqueryWarehouse";
import { DuckDbWarehouse } from "./duckdbWarehouse";

const TABLE: RowsTableDef = {
  dataset: "snapshots",
  name: "scores",
  description: "A test table computed in code.",
  partitionColumn: "day",
  clustering: ["id"],
  columns: [
    { name: "day", type: "DATE", nullable: false, description: "" },
    { name: "id", type: "STRING", nullable: false, description: "" },
    { name: "score", type: "FLOAT64", nullable: true, description: "" },
    { name: "n", type: "INT64", nullable: false, description: "" },
  ],
};

describe("DuckDbWarehouse.writeRows", () => {
  let warehouse: DuckDbWarehouse;
  beforeEach(async () => {
    warehouse = await DuckDbWarehouse.open({ path: ":memory:" });
  });
  afterEach(() => warehouse.close());

  it("creates the table and replaces one day, leaving the other days alone", async () => {
    await warehouse.writeRows(
      TABLE,
      [{ day: "2024-01-01", id: "a", score: 0.5, n: 1 }],
      "2024-01-01",
    );
    await warehouse.writeRows(
      TABLE,
      [
        { day: "2024-01-02", id: "a", score: null, n: 2 },
        { day: "2024-01-02", id: "b", score: 1.25, n: 3 },
      ],
      "2024-01-02",
    );
    const result = await warehouse.writeRows(
      TABLE,
      [{ day: "2024-01-02", id: "c", score: 2, n: 4 }],
      "2024-01-02",
    );
    expect(result.rows).toBe(1);
    expect(
      await warehouse.query(
        "select cast(day as string) as day, id, score, n from snapshots.scores order by day, id",
      ),
    ).toEqual([
      { day: "2024-01-01", id: "a", score: 0.5, n: 1 },
      { day: "2024-01-02", id: "c", score: 2, n: 4 },
    ]);
  });

  it.each([
    [{ day: "2024-01-02", id: "a", score: 1, n: 1 }, "outside partition 2024-01-01"],
    [{ day: "2024-01-01", id: null, score: 1, n: 1 }, "id may not be null"],
    [{ day: "2024-01-01", id: "a", score: Number.NaN, n: 1 }, "score = NaN is not a FLOAT64"],
    [{ day: "2024-01-01", id: "a", score: 1, n: 1.5 }, "n = 1.5 is not a INT64"],
    [{ day: "2024-01-01", id: "a", score: 1, n: 1, extra: 1 }, 'no column "extra"'],
  ])("refuses a bad row before writing anything (%j)", async (row, message) => {
    await expect(warehouse.writeRows(TABLE, [row], "2024-01-01")).rejects.toThrow(message);
    const tables = await warehouse.connection.runAndReadAll(
      "select count(*) as n from information_schema.tables where table_name = 'scores'",
    );
    expect(Number(tables.getRowObjectsJson()[0]!.n)).toBe(0);
  });
});

describe("BigQueryWarehouse.writeRows", () => {
  it("creates the table from its declaration and loads the day with WRITE_TRUNCATE", async () => {
    const seen: string[] = [];
    const client: BigQueryClientLike = {
      createJob: () => Promise.reject(new Error("no query job expected")),
      dataset: (datasetId) => ({
        exists: async () => [true],
        create: async () => undefined,
        createTable: async (tableId, options) => {
          seen.push(`create ${datasetId}.${tableId} ${JSON.stringify(options)}`);
        },
        table: (tableId) => ({
          exists: async () => [false],
          delete: async () => undefined,
          createLoadJob: async (source, metadata) => {
            seen.push(`load ${datasetId}.${tableId} ${JSON.stringify(metadata)}`);
            seen.push(readFileSync(source, "utf8"));
            return [
              {
                id: "j1",
                metadata: {},
                promise: async () => [],
                getQueryResults: async () => [[]],
              },
            ];
          },
        }),
      }),
    };
    const warehouse = new BigQueryWarehouse(client, {
      project: "p",
      location: "US",
      datasets: { raw: "raw_dev", marts: "marts_dev", snapshots: "snapshots_dev" },
    });
    await warehouse.writeRows(
      TABLE,
      [{ day: "2024-01-01", id: "a", score: null, n: 1 }],
      "2024-01-01",
    );
    expect(seen[0]).toContain(
      'create snapshots_dev.scores {"schema":{"fields":[{"name":"day","type":"DATE","mode":"REQUIRED"',
    );
    expect(seen[0]).toContain(
      '"timePartitioning":{"type":"DAY","field":"day"},"clustering":{"fields":["id"]}',
    );
    expect(seen[1]).toContain(
      'load snapshots_dev.scores$20240101 {"sourceFormat":"NEWLINE_DELIMITED_JSON","writeDisposition":"WRITE_TRUNCATE"',
    );
    expect(seen[2]).toBe('{"day":"2024-01-01","id":"a","score":null,"n":1}\n');
  });
});
