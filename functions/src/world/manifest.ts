/**
 * The world manifest: which world a warehouse and a lake hold, and how far. SPEC: "The data
 * carries its world. The warehouse and the lake record which world they hold; a writer asked for
 * another world refuses before writing." The warehouse keeps it in `raw.world_manifest` (one row,
 * `WORLD_MANIFEST` in the contract), the lake in `manifest.json` at its root.
 */
import { createHash } from "node:crypto";
import { CONTRACT_VERSION, RAW_TABLE_NAMES, type RawTableName } from "../contract";
import { WORLD } from "../generator/params";

/** What makes two data sets the same world: everything but how far it reaches. */
export interface WorldIdentity {
  readonly source: "synthetic" | "orders";
  /** Generator seed; null for an orders file. */
  readonly seed: number | null;
  /** Scale (users who sign up over the first two years); null for an orders file. */
  readonly users: number | null;
  /** The world's first day, YYYY-MM-DD. */
  readonly startDate: string;
  readonly modelVersion: string;
  readonly contractVersion: string;
  /** Raw tables the source does not have (sorted); empty for the generated shop. */
  readonly absentTables: readonly RawTableName[];
}

export interface WorldManifest extends WorldIdentity {
  readonly worldId: string;
  /** Last day loaded into the warehouse (the run date of the marts); null before any load. */
  readonly dataThrough: string | null;
  /** ISO timestamp of the last write. */
  readonly updatedAt: string;
}

/** The identity of a generated shop. */
export function syntheticWorld(world: {
  readonly seed: number;
  readonly users: number;
  readonly startDate: string;
}): WorldIdentity {
  return {
    source: "synthetic",
    seed: world.seed,
    users: world.users,
    startDate: world.startDate,
    modelVersion: WORLD.modelVersion,
    contractVersion: CONTRACT_VERSION,
    absentTables: [],
  };
}

/**
 * The identity of an orders file mapped into the contract: no seed or scale; its first day is
 * the first day with an order; the tables it cannot fill are recorded as absent, so the marts
 * that need them can say so instead of showing zeros.
 */
export function ordersWorld(source: {
  readonly firstDay: string;
  readonly absentTables: readonly RawTableName[];
}): WorldIdentity {
  return {
    source: "orders",
    seed: null,
    users: null,
    startDate: source.firstDay,
    modelVersion: ORDERS_LOADER_VERSION,
    contractVersion: CONTRACT_VERSION,
    absentTables: [...source.absentTables].sort(),
  };
}

/** Version of the orders loader's mapping into the contract (its "model"). */
export const ORDERS_LOADER_VERSION = "orders-1";

/** Short, stable id of an identity: the first 12 hex digits of a hash of its fields. */
export function worldId(identity: WorldIdentity): string {
  const canonical = JSON.stringify([
    identity.source,
    identity.seed,
    identity.users,
    identity.startDate,
    identity.modelVersion,
    identity.contractVersion,
    [...identity.absentTables].sort(),
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 12);
}

/** A manifest for an identity, reaching `dataThrough`. */
export function manifestOf(
  identity: WorldIdentity,
  dataThrough: string | null,
  now: Date = new Date(),
): WorldManifest {
  return {
    ...identity,
    absentTables: [...identity.absentTables].sort(),
    worldId: worldId(identity),
    dataThrough,
    updatedAt: now.toISOString(),
  };
}

const FIELDS: readonly (keyof WorldIdentity)[] = [
  "source",
  "seed",
  "users",
  "startDate",
  "modelVersion",
  "contractVersion",
  "absentTables",
];

/** The fields in which two identities differ, as `field: held (asked)` phrases; empty if equal. */
export function worldDifferences(held: WorldIdentity, asked: WorldIdentity): string[] {
  const show = (value: unknown) => (Array.isArray(value) ? `[${value.join(",")}]` : String(value));
  return FIELDS.filter((f) => show(held[f]) !== show(asked[f])).map(
    (f) => `${f} ${show(held[f])} (asked ${show(asked[f])})`,
  );
}

/** A writer was asked for another world than the data holds; nothing was written. */
export class WorldMismatchError extends Error {
  constructor(
    readonly where: string,
    readonly differences: readonly string[],
  ) {
    super(
      `${where} holds another world: ${differences.join("; ")}. Nothing was written; use another ` +
        `data folder (or datasets), or replace the data on purpose`,
    );
    this.name = "WorldMismatchError";
  }
}

/** Throws `WorldMismatchError` when `held` is a manifest of another world than `asked`. */
export function assertSameWorld(
  where: string,
  held: WorldIdentity | null,
  asked: WorldIdentity,
): void {
  if (held === null) return;
  const differences = worldDifferences(held, asked);
  if (differences.length > 0) throw new WorldMismatchError(where, differences);
}

/** The later of two data-through days (null = nothing loaded). */
export function laterDay(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** `manifest.json` in the lake: the manifest as JSON, in the lake's own words. */
export const LAKE_MANIFEST_PATH = "manifest.json";

export function manifestToJson(manifest: WorldManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Parses a lake manifest; a file that is not one is an error naming what is wrong. */
export function manifestFromJson(text: string, where: string): WorldManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`);
  }
  const m = value as Partial<WorldManifest>;
  const tables = m.absentTables;
  if (
    typeof m.worldId !== "string" ||
    (m.source !== "synthetic" && m.source !== "orders") ||
    typeof m.startDate !== "string" ||
    typeof m.modelVersion !== "string" ||
    typeof m.contractVersion !== "string" ||
    !Array.isArray(tables) ||
    !tables.every((t) => (RAW_TABLE_NAMES as readonly string[]).includes(t))
  ) {
    throw new Error(`${where}: not a world manifest`);
  }
  return {
    source: m.source,
    seed: m.seed ?? null,
    users: m.users ?? null,
    startDate: m.startDate,
    modelVersion: m.modelVersion,
    contractVersion: m.contractVersion,
    absentTables: tables,
    worldId: m.worldId,
    dataThrough: m.dataThrough ?? null,
    updatedAt: m.updatedAt ?? "",
  };
}
