import { join } from "node:path";
import { keepTranslationsIn } from "../../functions/src/sql/translate";
import { CACHE_ROOT, cacheFolder } from "./cacheFolder";

/**
 * Where the commands that run SQL in DuckDB on this machine (`npm start`, the replay, `serve`,
 * `query`, `report`, the bench) keep the SQL translator's output between runs: in the project's
 * cache folder (`cacheFolder.ts`). See `keepTranslationsIn` for what is kept and why.
 */
export const DEFAULT_TRANSLATIONS_FOLDER = join(CACHE_ROOT, "duckdb-sql");

/** Names another folder for the kept translations, or `off` to keep none. */
export const TRANSLATIONS_FOLDER_ENV = "SQL_TRANSLATIONS_DIR";

/** Keeps this command's translations where the environment says; returns the folder, or null. */
export function keepTranslations(env: NodeJS.ProcessEnv = process.env): string | null {
  const folder = cacheFolder(env, TRANSLATIONS_FOLDER_ENV, DEFAULT_TRANSLATIONS_FOLDER);
  keepTranslationsIn(folder);
  return folder;
}
