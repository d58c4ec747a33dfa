import { closeDuckDb, openDuckDb } from "../../warehouse/duckdb";
import { AnalyzerServer, startAnalyzer, stopAnalyzer } from "../server";

/** The two engines a differential test compares: the GoogleSQL service and a DuckDB. */
export interface Engines {
  server: AnalyzerServer;
  db: Awaited<ReturnType<typeof openDuckDb>>;
}

/**
 * Test support: registers hooks that start one analyzer service and one single-threaded
 * in-memory DuckDB for the test file (single-threaded so float sums add up in one order), and
 * stop both after it. The returned object is filled in before the file's own `beforeAll` runs.
 */
export function useEngines(): Engines {
  const engines = {} as Engines;
  beforeAll(async () => {
    engines.server = await startAnalyzer();
    engines.db = await openDuckDb(":memory:", { threads: 1 });
  });
  afterAll(async () => {
    if (engines.db) closeDuckDb(engines.db);
    await stopAnalyzer();
  });
  return engines;
}
