import * as path from "node:path";
import { BigQuery } from "@google-cloud/bigquery";
import { Storage } from "@google-cloud/storage";
import { BigQueryWarehouse } from "../backends/bigqueryWarehouse";
import type { BackendConfig } from "../backends/fromEnv";
import { GcsLake } from "../backends/gcsLake";
import type { Lake, Warehouse } from "../backends/types";

/** The two backends a job takes as arguments. */
export interface Backends {
  readonly lake: Lake;
  readonly warehouse: Warehouse;
}

/** Where the local backends keep their files inside the data folder. */
export function localPaths(dataDir: string): { lakeDir: string; warehouseFile: string } {
  return {
    lakeDir: path.join(dataDir, "lake"),
    warehouseFile: path.join(dataDir, "warehouse.duckdb"),
  };
}

/**
 * The local backends' module, loaded on first use. Its name is not a literal import on purpose:
 * the function archive is the import closure of the entry point (infra/packaging), and the local
 * backends bring the DuckDB warehouse and its SQL translator (24 MB), which the cloud never runs.
 */
const LOCAL_BACKENDS_MODULE = "./localBackends";

/**
 * Opens the backends a configuration names: a folder and a DuckDB file, or a GCS bucket and
 * BigQuery datasets (the clients authenticate as the runtime's service account, never with a key
 * file). The caller closes the warehouse.
 */
export async function openBackends(config: BackendConfig): Promise<Backends> {
  if (config.kind === "local") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const local = require(LOCAL_BACKENDS_MODULE) as {
      openLocalBackends(dataDir: string): Promise<Backends>;
    };
    return local.openLocalBackends(config.dataDir);
  }
  const { project, location, bucket, datasets } = config;
  return {
    lake: new GcsLake(new Storage({ projectId: project }), bucket),
    warehouse: new BigQueryWarehouse(new BigQuery({ projectId: project, location }), {
      project,
      location,
      datasets,
    }),
  };
}

/**
 * Stand-ins for a dry run: a dry run generates and counts but must not write, so it opens
 * nothing, and any attempt to touch a backend fails loudly instead of writing.
 */
export function dryRunBackends(): Backends {
  const refuse = (what: string): never => {
    throw new Error(`A dry run must not use the ${what}`);
  };
  const stub = (what: string) =>
    new Proxy(
      {},
      {
        get: (_target, prop) =>
          prop === "kind" ? "dry-run" : () => refuse(`${what}.${String(prop)}`),
      },
    );
  return { lake: stub("lake") as Lake, warehouse: stub("warehouse") as Warehouse };
}

/** Builds the backends for one request; the default opens the ones the configuration names. */
export type BackendsFactory = (config: BackendConfig) => Promise<Backends>;

let override: BackendsFactory | null = null;

/**
 * Tests only: replaces how requests get their backends (for example with a warehouse that fails
 * on its second partition), or restores the default with `null`. Production code never calls it.
 */
export function setBackendsForTesting(factory: BackendsFactory | null): void {
  override = factory;
}

/** Local requests run one at a time: the DuckDB file and the lake folder have one writer. */
const localQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` with freshly opened backends and always closes them. Local backends are
 * serialised per data folder; cloud requests run concurrently, as BigQuery and GCS isolate them.
 */
export async function withBackends<T>(
  config: BackendConfig,
  work: (backends: Backends) => Promise<T>,
): Promise<T> {
  const run = async () => {
    const backends = await (override ?? openBackends)(config);
    try {
      return await work(backends);
    } finally {
      await backends.warehouse.close();
    }
  };
  if (config.kind !== "local") return run();
  const previous = localQueues.get(config.dataDir) ?? Promise.resolve();
  const current = previous.then(run, run);
  const settled = current.catch(() => undefined);
  localQueues.set(config.dataDir, settled);
  try {
    return await current;
  } finally {
    if (localQueues.get(config.dataDir) === settled) localQueues.delete(config.dataDir);
  }
}
