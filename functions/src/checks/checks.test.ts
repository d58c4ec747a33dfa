import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { RAW_TABLE_NAMES } from "../contract";
import { rowSchema } from "../contract/rowSchema";
import { CheckResult, ChecksFailedError, assertChecksPass, listChecks, runChecks } from "./index";
import { CORRUPTIONS, Corruption } from "./testing/corruptions";
import { FIXTURE_SHOP, fixtureWarehouse } from "./testing/fixtureShop";

async function checkFixture(corruption?: Corruption): Promise<CheckResult[]> {
  const warehouse = await fixtureWarehouse(corruption);
  try {
    return await runChecks(warehouse);
  } finally {
    await warehouse.close();
  }
}

const failing = (results: CheckResult[]) =>
  results.filter((r) => r.violations > 0).map((r) => r.name);

describe("the fixture shop", () => {
  it("satisfies the contract's row schema", () => {
    for (const table of RAW_TABLE_NAMES) {
      for (const row of FIXTURE_SHOP[table]) expect(rowSchema(table).parse(row)).toEqual(row);
    }
  });

  it("passes every check", async () => {
    const results = await checkFixture();
    expect(results.map((r) => r.name)).toEqual(listChecks().map((c) => c.name));
    expect(failing(results)).toEqual([]);
    expect(() => assertChecksPass(results)).not.toThrow();
  });
});

describe("each corruption is reported by exactly the checks it breaks", () => {
  it.each(CORRUPTIONS.map((c) => [c.name, c] as const))("%s", async (_name, corruption) => {
    const results = await checkFixture(corruption);
    expect(failing(results).sort()).toEqual([...corruption.expect].sort());
    for (const r of results.filter((x) => x.violations > 0)) {
      expect(r.sample.length).toBeGreaterThan(0);
      expect(r.sample.length).toBeLessThanOrEqual(r.violations);
    }
  });

  it("covers every check with at least one corruption", () => {
    const covered = new Set(CORRUPTIONS.flatMap((c) => c.expect));
    const uncovered = listChecks()
      .map((c) => c.name)
      .filter((n) => !covered.has(n));
    expect(uncovered).toEqual([]);
  });

  it("names only checks that exist", () => {
    const names = new Set(listChecks().map((c) => c.name));
    expect(CORRUPTIONS.flatMap((c) => c.expect).filter((n) => !names.has(n))).toEqual([]);
  });
});

describe("runChecks", () => {
  let warehouse: DuckDbWarehouse;
  beforeAll(async () => {
    warehouse = await fixtureWarehouse({
      name: "every line amount wrong",
      sql: ["update raw.order_items set line_amount = line_amount + 1"],
      expect: [],
    });
  });
  afterAll(() => warehouse.close());

  it("counts every violation but keeps only sampleSize rows", async () => {
    const results = await runChecks(warehouse, { sampleSize: 2 });
    const lineAmount = results.find((r) => r.name === "order_item_line_amount")!;
    expect(lineAmount.violations).toBe(FIXTURE_SHOP.order_items.length);
    expect(lineAmount.sample).toHaveLength(2);
    expect(Object.keys(lineAmount.sample[0]!)).toEqual([
      "order_item_id",
      "order_id",
      "quantity",
      "final_unit_price",
      "line_amount",
      "expected_line_amount",
    ]);
  });

  it("still counts violations with a sample size of zero", async () => {
    const results = await runChecks(warehouse, { sampleSize: 0 });
    const lineAmount = results.find((r) => r.name === "order_item_line_amount")!;
    expect(lineAmount.violations).toBe(FIXTURE_SHOP.order_items.length);
    expect(lineAmount.sample).toEqual([]);
  });

  it("reports progress for each check in order", async () => {
    const seen: [string, number, number][] = [];
    await runChecks(warehouse, {
      onProgress: (name, i, n) => seen.push([name, i, n]),
    });
    const names = listChecks().map((c) => c.name);
    expect(seen).toEqual(names.map((name, i) => [name, i + 1, names.length]));
  });

  /**
   * The warehouse, except that one check's query runs out of memory whenever another query is
   * in flight (as DuckDB does when checks over the largest tables need more than its limit
   * together), or always with `evenAlone`.
   */
  function squeezed(checkName: string, evenAlone = false) {
    const sql = listChecks()
      .find((c) => c.name === checkName)!
      .sql.trim();
    const seen = { refused: 0, ranAlone: 0 };
    let inFlight = 0;
    const query: DuckDbWarehouse["query"] = async (text, params) => {
      inFlight += 1;
      try {
        if (text.includes(sql)) {
          if (inFlight > 1 || evenAlone) {
            seen.refused += 1;
            throw new Error(
              "Out of Memory Error: could not allocate block of size 256.0 KiB (488.0 MiB/488.2 MiB used)",
            );
          }
          seen.ranAlone += 1;
        }
        return await warehouse.query(text, params);
      } finally {
        inFlight -= 1;
      }
    };
    const proxy = new Proxy(warehouse, {
      get: (target, key) => {
        if (key === "query") return query;
        const value: unknown = Reflect.get(target, key);
        return typeof value === "function" ? (value as () => unknown).bind(target) : value;
      },
    });
    return { proxy, seen };
  }

  it("runs a check that ran out of memory beside others again, alone, with the same results in order", async () => {
    const plain = await runChecks(warehouse);
    const { proxy, seen } = squeezed("order_item_line_amount");
    const progress: string[] = [];
    const results = await runChecks(proxy, { onProgress: (name) => progress.push(name) });
    expect(seen).toEqual({ refused: 1, ranAlone: 1 });
    // Progress names each check once, in order: the run alone is not a step back.
    expect(progress).toEqual(listChecks().map((c) => c.name));
    const summary = (r: CheckResult[]) => r.map((c) => [c.name, c.violations, c.sample]);
    expect(summary(results)).toEqual(summary(plain));
    expect(results.find((r) => r.name === "order_item_line_amount")!.violations).toBe(
      FIXTURE_SHOP.order_items.length,
    );
  });

  it("names a check that runs out of memory even alone", async () => {
    const { proxy, seen } = squeezed("order_item_line_amount", true);
    await expect(runChecks(proxy)).rejects.toThrow(
      /Data-quality check "order_item_line_amount" could not run: Out of Memory Error/,
    );
    expect(seen.refused).toBe(2);
  });

  it("names the check that cannot run", async () => {
    const empty = await DuckDbWarehouse.open({ path: ":memory:", threads: 1 });
    try {
      await expect(runChecks(empty)).rejects.toThrow(
        /Data-quality check "[a-z_]+" could not run: .*raw/,
      );
    } finally {
      await empty.close();
    }
  });
});

describe("assertChecksPass", () => {
  const passing: CheckResult = {
    name: "primary_key_users",
    description: "users.user_id is unique.",
    violations: 0,
    sample: [],
    seconds: 0.01,
  };
  const failingResult: CheckResult = {
    name: "funnel_step_order",
    description: "Asserts: the funnel runs in order.",
    violations: 3,
    sample: [{ session_id: "S002", event_type: "click", previous_step_at: null }],
    seconds: 0.02,
  };

  it("passes when no check has violations", () => {
    expect(() => assertChecksPass([passing])).not.toThrow();
  });

  it("throws naming each failing check, its assertion and a sample row", () => {
    let error: unknown;
    try {
      assertChecksPass([
        passing,
        failingResult,
        { ...failingResult, name: "subscription_per_user" },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChecksFailedError);
    const failed = error as ChecksFailedError;
    expect(failed.failures.map((f) => f.name)).toEqual([
      "funnel_step_order",
      "subscription_per_user",
    ]);
    expect(failed.message).toMatch(/^2 data-quality checks failed:/);
    expect(failed.message).toContain("funnel_step_order: 3 violating rows");
    expect(failed.message).toContain("subscription_per_user: 3 violating rows");
    expect(failed.message).toContain("Asserts: the funnel runs in order.");
    expect(failed.message).toContain(
      '{"session_id":"S002","event_type":"click","previous_step_at":null}',
    );
    expect(failed.message).not.toContain("primary_key_users");
  });

  it("reports a real failure with the offending row", async () => {
    const results = await checkFixture(
      CORRUPTIONS.find((c) => c.name === "a click without a view"),
    );
    expect(() => assertChecksPass(results)).toThrow(/funnel_step_order: 1 violating row\n/);
    expect(() => assertChecksPass(results)).toThrow(/"session_id":"S002","event_type":"click"/);
  });
});
