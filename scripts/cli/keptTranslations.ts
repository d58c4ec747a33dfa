import { resolve } from "node:path";
import { keepTranslationsIn } from "../../functions/src/sql/translate";

/**
 * Where the commands that run SQL in DuckDB on this machine (`npm start`, the replay, `serve`,
 * `query`, `report`, the bench) keep the SQL translator's output between runs: the project's
 * `node_modules/.cache`, the folder build tools keep their caches in, which a new `npm ci`
 * empties. See `keepTranslationsIn` for what is kept and why.
 */
export const DEFAULT_TRANSLATIONS_FOLDER = resolve(
  __dirname,
  "..",
  "..",
  "node_modules",
  ".cache",
  "ecommerce-analytics",
  "duckdb-sql",
);

/** Names another folder for the kept translations, or `off` to keep none. */
export const TRANSLATIONS_FOLDER_ENV = "SQL_TRANSLATIONS_DIR";

/** Keeps this command's translations where the environment says; returns the folder, or null. */
export function keepTranslations(env: NodeJS.ProcessEnv = process.env): string | null {
  const setting = env[TRANSLATIONS_FOLDER_ENV];
  const folder =
    setting === "off" ? null : setting ? resolve(setting) : DEFAULT_TRANSLATIONS_FOLDER;
  keepTranslationsIn(folder);
  return folder;
}
