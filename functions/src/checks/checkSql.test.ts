import { RAW_TABLE_LIST, RAW_TABLES } from "../contract";
import { bannedConstructs, toDuckDb } from "../sql/translate";
import { contractTables } from "../sqlgate/catalog";
import { SqlAnalyzer } from "../sqlgate/analyzer";
import { AnalyzerServer, startAnalyzer, stopAnalyzer } from "../sqlgate/server";
import { headerComment } from "./checkFiles";
import {
  allPartitionsFilter,
  allowedValuesCheck,
  contractChecks,
  foreignKeyCheck,
  primaryKeyCheck,
} from "./contractChecks";
import { countAndSampleSql, listChecks } from "./index";

describe("headerComment", () => {
  it("joins the leading comment lines and stops at the first line of code", () => {
    expect(headerComment("-- Asserts: a.\n--   Grain: b.\nwith\n-- not this\n")).toBe(
      "Asserts: a. Grain: b.",
    );
  });

  it("ends at an empty comment line, leaving implementation notes out", () => {
    expect(headerComment("-- Asserts: a.\n-- Grain: b.\n--\n-- How: c.\nselect 1")).toBe(
      "Asserts: a. Grain: b.",
    );
  });

  it("is empty for SQL without a header", () => {
    expect(headerComment("select 1\n-- trailing")).toBe("");
  });
});

describe("the contract-generated checks", () => {
  it("check every table's key, every foreign key and every closed value set", () => {
    const names = contractChecks().map((c) => c.name);
    const expected = [
      ...RAW_TABLE_LIST.map((t) => `primary_key_${t.name}`),
      ...RAW_TABLE_LIST.flatMap((t) =>
        t.foreignKeys.map((fk) => `foreign_key_${t.name}_${fk.column}`),
      ),
      ...RAW_TABLE_LIST.filter((t) => t.columns.some((c) => c.allowed)).map(
        (t) => `allowed_values_${t.name}`,
      ),
    ];
    expect(names).toEqual(expected);
    expect(names.length).toBeGreaterThanOrEqual(8 + 13);
  });

  it("check a nullable foreign key only where it has a value", () => {
    const events = RAW_TABLES.events;
    const orderFk = events.foreignKeys.find((fk) => fk.column === "order_id")!;
    const userFk = events.foreignKeys.find((fk) => fk.column === "user_id")!;
    expect(foreignKeyCheck(events, orderFk).sql).toMatch(/and order_id is not null/);
    expect(foreignKeyCheck(events, userFk).sql).not.toMatch(/user_id is not null/);
  });

  it("let a nullable column with a value set be null but not a required one", () => {
    const nullableWithSet = {
      ...RAW_TABLES.users,
      columns: [
        ...RAW_TABLES.users.columns,
        { name: "tier", type: "STRING" as const, nullable: true, description: "", allowed: ["x"] },
      ],
    };
    const sql = allowedValuesCheck(nullableWithSet)!.sql;
    expect(sql).toContain("where tier not in ('x')");
    expect(sql).toContain("where device is null or device not in ('iOS', 'Android', 'Web')");
    expect(allowedValuesCheck(RAW_TABLES.products)).toBeUndefined();
  });

  it("filter on the partition column of every table that requires a partition filter", () => {
    for (const table of RAW_TABLE_LIST) {
      const filter = allPartitionsFilter(table);
      if (table.requirePartitionFilter) {
        expect(filter).toMatch(new RegExp(`^${table.partitionColumn} >= `));
        expect(primaryKeyCheck(table).sql).toContain(`where ${filter}`);
      } else {
        expect(filter).toBeUndefined();
      }
    }
  });
});

describe("every check's SQL", () => {
  const checks = listChecks();

  it("states what it asserts and the grain of a violation row", () => {
    for (const c of checks) {
      expect([c.name, /Asserts: .+Grain: .+/.test(c.description)]).toEqual([c.name, true]);
    }
  });

  it("uses no construct that translates wrongly to DuckDB", () => {
    const offenders = checks
      .map((c) => ({ name: c.name, banned: bannedConstructs(c.sql).map((b) => b.reason) }))
      .filter((c) => c.banned.length > 0);
    expect(offenders).toEqual([]);
  });

  it("filters every scan of a table that requires a partition filter", () => {
    const guarded = RAW_TABLE_LIST.filter((t) => t.requirePartitionFilter);
    for (const c of checks) {
      for (const table of guarded) {
        const scans = c.sql.match(new RegExp(`from raw\\.${table.name}\\b`, "g")) ?? [];
        const filter = allPartitionsFilter(table)!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const filtered =
          c.sql.match(new RegExp(`from raw\\.${table.name}\\s+where ${filter}`, "g")) ?? [];
        expect([c.name, table.name, filtered.length]).toEqual([c.name, table.name, scans.length]);
      }
    }
  });

  it("translates to DuckDB", async () => {
    for (const c of checks) {
      await expect(toDuckDb(countAndSampleSql(c.sql, 5))).resolves.toMatch(/limit 5/i);
    }
  });
});

describe("the count-and-sample wrapper", () => {
  let server: AnalyzerServer;
  let analyzer: SqlAnalyzer;
  beforeAll(async () => {
    server = await startAnalyzer();
    analyzer = new SqlAnalyzer(server, contractTables());
  });
  afterAll(async () => {
    await analyzer.close();
    await stopAnalyzer();
  });

  it("is valid GoogleSQL around every check, keeping the check's columns", async () => {
    for (const c of listChecks()) {
      const plain = await analyzer.analyze(c.sql);
      const wrapped = await analyzer.analyze(
        countAndSampleSql(c.sql + "\n-- trailing comment;\n", 5),
      );
      expect([c.name, plain.ok, wrapped.ok]).toEqual([c.name, true, true]);
      if (!plain.ok || !wrapped.ok) continue;
      const columns = (r: typeof plain) =>
        r.ok ? r.statements[0]!.outputColumns!.map((col) => col.name) : [];
      expect(columns(wrapped)).toEqual([...columns(plain), "check_violation_count"]);
    }
  });
});
