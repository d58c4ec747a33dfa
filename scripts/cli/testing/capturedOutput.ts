import { join } from "node:path";
import { withDuckDbReadOnly } from "../../../functions/src/handlers/testSupport";

/** What a command printed in a test: everything written to stdout and stderr, in order. */
export interface CapturedOutput {
  stdout: string;
  stderr: string;
  /** Puts the real streams back (`jest.restoreAllMocks()` does too). */
  restore(): void;
}

/**
 * Captures what the code under test writes to process.stdout and process.stderr, instead of
 * printing it: the commands' tests read their summaries, progress and one-line errors from it.
 */
export function captureOutput(): CapturedOutput {
  const stdout = jest.spyOn(process.stdout, "write");
  const stderr = jest.spyOn(process.stderr, "write");
  const captured: CapturedOutput = {
    stdout: "",
    stderr: "",
    restore() {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
  stdout.mockImplementation((chunk) => {
    captured.stdout += String(chunk);
    return true;
  });
  stderr.mockImplementation((chunk) => {
    captured.stderr += String(chunk);
    return true;
  });
  return captured;
}

/** Rows of a query on a data folder's warehouse (`<out>/warehouse.duckdb`), read-only. */
export function warehouseRows(out: string, sql: string): Promise<Record<string, unknown>[]> {
  return withDuckDbReadOnly(join(out, "warehouse.duckdb"), (query) => query(sql));
}
