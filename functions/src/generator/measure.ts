/**
 * Generation timed the way the benchmark reports it: wall seconds, CPU seconds (DuckDB's threads
 * run in this process, so CPU time shows the work even on a busy machine), rows per second and
 * the process's peak resident memory so far.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { RawTableName } from "../contract";
import { generateShop, type GenerateOptions } from "./index";

export interface GenerationMeasurement {
  counts: Record<RawTableName, number>;
  rows: number;
  seconds: number;
  cpuSeconds: number;
  rowsPerSecond: number;
  /** Peak resident set size of this process since it started, in bytes. */
  peakRssBytes: number;
}

/** Runs `generateShop` once and measures it. */
export async function measureGeneration(
  connection: DuckDBConnection,
  options: GenerateOptions,
): Promise<GenerationMeasurement> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const counts = await generateShop(connection, options);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    counts,
    rows,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rowsPerSecond: rows / seconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
