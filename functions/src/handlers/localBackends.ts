import { mkdir } from "node:fs/promises";
import { DuckDbWarehouse } from "../backends/duckdbWarehouse";
import { LocalLake } from "../backends/localLake";
import { localPaths, type Backends } from "./backends";

/** A folder and a DuckDB file: the backends a laptop runs the functions on. */
export async function openLocalBackends(dataDir: string): Promise<Backends> {
  const { lakeDir, warehouseFile } = localPaths(dataDir);
  await mkdir(dataDir, { recursive: true });
  return {
    lake: new LocalLake(lakeDir),
    warehouse: await DuckDbWarehouse.open({ path: warehouseFile }),
  };
}
