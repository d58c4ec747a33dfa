import { join, resolve } from "node:path";

/** The project's installed packages. */
export const NODE_MODULES = resolve(__dirname, "..", "..", "node_modules");

/**
 * The project's own folder in `node_modules/.cache`, the folder build tools keep their caches in,
 * which a new `npm ci` empties: the commands that run on this machine keep what they built for
 * later runs there (the SQL translations, the chart renderer's startup snapshot).
 */
export const CACHE_ROOT = join(NODE_MODULES, ".cache", "ecommerce-analytics");

/**
 * The folder a cache is kept in: the one the environment variable `variable` names, none when it
 * says `off`, else `fallback`.
 */
export function cacheFolder(
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback: string,
): string | null {
  const setting = env[variable];
  return setting === "off" ? null : setting ? resolve(setting) : fallback;
}
