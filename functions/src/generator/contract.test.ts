import { DUCKDB_TYPES, RAW_TABLE_NAMES, RAW_TABLES } from "../contract";
import { rowSchema } from "../contract/rowSchema";
import { closeDuckDb, type Db, generatedWorld } from "./testSupport";

/** DESCRIBE spells TIMESTAMPTZ out in full. */
const DESCRIBED_TYPE: Record<string, string> = { TIMESTAMPTZ: "TIMESTAMP WITH TIME ZONE" };

/** A DuckDB value as row validation expects it: dates and timestamps as their strings. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  return String(value);
}

async function isView(db: Db, table: string): Promise<boolean> {
  const reader = await db.connection.runAndReadAll(
    `select count(*) as n from duckdb_views() where schema_name = 'gen' and view_name = '${table}'`,
  );
  return Number(reader.getRowObjectsJson()[0]?.n) > 0;
}

describe("generated tables against the contract", () => {
  let db: Db;
  let counts: Record<string, number>;

  beforeAll(async () => {
    ({ db, counts } = await generatedWorld({ users: 1_000 }));
  });
  afterAll(() => closeDuckDb(db));

  it.each(RAW_TABLE_NAMES)(
    "gives gen.%s exactly the contract's columns, types and nullability",
    async (table) => {
      const reader = await db.connection.runAndReadAll(`describe gen.${table}`);
      const rows = reader.getRowObjectsJson();
      const expected = RAW_TABLES[table].columns.map((c) => {
        const type = DUCKDB_TYPES[c.type];
        return [c.name, DESCRIBED_TYPE[type] ?? type, c.nullable ? "YES" : "NO"];
      });
      if (!(await isView(db, table))) {
        expect(rows.map((r) => [r.column_name, r.column_type, r.null])).toEqual(expected);
        return;
      }
      // A view declares no NOT NULL: its rows must hold no null where the contract forbids one.
      const required = RAW_TABLES[table].columns.filter((c) => !c.nullable).map((c) => c.name);
      const nulls = await db.connection.runAndReadAll(
        `select ${required.map((c) => `count(*) filter (where ${c} is null) as ${c}`).join(", ")} ` +
          `from gen.${table}`,
      );
      expect(rows.map((r) => [r.column_name, r.column_type])).toEqual(
        expected.map(([name, type]) => [name, type]),
      );
      expect(nulls.getRowObjectsJson()[0]).toEqual(
        Object.fromEntries(required.map((c) => [c, "0"])),
      );
    },
  );

  it.each(RAW_TABLE_NAMES)(
    "produces rows of %s that validate against the contract",
    async (table) => {
      expect(counts[table]).toBeGreaterThan(0);
      const key = RAW_TABLES[table].primaryKey;
      // A deterministic sample spread over the whole table, plus every row of small tables.
      const reader = await db.connection.runAndReadAll(
        `select * from gen.${table} order by hash(${key}) limit 2000`,
      );
      const schema = rowSchema(table);
      for (const row of reader.getRowObjects()) {
        const plainRow = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]));
        const result = schema.safeParse(plainRow);
        if (!result.success)
          throw new Error(`${table} row ${JSON.stringify(plainRow)}: ${result.error.message}`);
      }
    },
  );
});
