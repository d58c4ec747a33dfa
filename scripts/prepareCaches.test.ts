import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRANSLATIONS_FOLDER_ENV } from "./cli/keptTranslations";
import { lastJsonLineOfFreshNode } from "./cli/testing/freshNode";
import { formatPrepared, type PreparedCaches } from "./prepareCaches";
import { SNAPSHOT_FOLDER_ENV } from "./report/charts/rendererSnapshot";

/**
 * What a fresh `npm start` process does with the caches in `env`'s folders before its first
 * statement: which of its warm-ups would load the SQL translator (it loads only for a text with no
 * translation kept) and how its report's renderer would start.
 */
function firstRunNeeds(env: Record<string, string>): { translator: boolean; renderer: string[] } {
  return lastJsonLineOfFreshNode(
    `
    require(${JSON.stringify(join(__dirname, "cli", "keptTranslations.ts"))}).keepTranslations();
    const snapshot = require(${JSON.stringify(join(__dirname, "report", "charts", "rendererSnapshot.ts"))});
    snapshot.keepRendererSnapshot();
    const renderer = snapshot.rendererArgs();
    require(${JSON.stringify(join(__dirname, "laterStages.ts"))}).warmLaterStages().then(() => {
      const translator = Object.keys(require.cache).some((k) => k.includes("/@polyglot-sql/"));
      console.log(JSON.stringify({ translator, renderer }));
    });
    `,
    env,
  );
}

describe("npm ci's prepare step", () => {
  let folder: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "prepare-caches-"));
    env = {
      [TRANSLATIONS_FOLDER_ENV]: join(folder, "translations"),
      [SNAPSHOT_FOLDER_ENV]: join(folder, "renderer"),
    };
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it("is the package's prepare script, which npm runs after npm ci", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prepare).toBe("node scripts/prepare.mjs");
  });

  it("without it, npm start's first run loads the translator and starts its renderer from the script", () => {
    const needs = firstRunNeeds(env);
    expect(needs.translator).toBe(true);
    expect(needs.renderer).not.toContain("--snapshot-blob");
  }, 60_000);

  it("leaves npm start's first run nothing to translate and a snapshot to start its renderer from", () => {
    // As npm runs it: the package's script, in the project's folder.
    const step = spawnSync(process.execPath, [join(__dirname, "prepare.mjs")], {
      cwd: join(__dirname, ".."),
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    expect(step.status).toBe(0);
    const kept = readdirSync(env[TRANSLATIONS_FOLDER_ENV]!);
    const [snapshot] = readdirSync(env[SNAPSHOT_FOLDER_ENV]!);
    expect(kept.length).toBeGreaterThan(50); // the checks' and the marts' queries
    expect(step.stdout).toContain(`Prepared for npm start in `);
    expect(step.stdout).toContain(`: ${kept.length} SQL translations in `);
    expect(step.stdout).toContain(`the chart renderer's snapshot in `);

    const needs = firstRunNeeds(env);
    expect(needs.translator).toBe(false);
    expect(needs.renderer).toEqual(
      expect.arrayContaining(["--snapshot-blob", join(env[SNAPSHOT_FOLDER_ENV]!, snapshot!)]),
    );
    expect(readdirSync(env[TRANSLATIONS_FOLDER_ENV]!)).toEqual(kept); // read back, none added
  }, 120_000);

  it("is skipped, and says so, where tsx is not installed (npm ci --omit=dev): the install goes on", async () => {
    const alone = join(folder, "prepare.mjs"); // beside no node_modules
    await copyFile(join(__dirname, "prepare.mjs"), alone);
    const step = spawnSync(process.execPath, [alone], { cwd: folder, encoding: "utf8" });
    expect(step.status).toBe(0);
    expect(step.stdout).toBe(
      "Skipped preparing npm start's caches: tsx, a dev dependency, is not installed\n",
    );
  });

  it("builds nothing where the environment says off, and says so", () => {
    const prepared = lastJsonLineOfFreshNode<PreparedCaches>(
      `require(${JSON.stringify(join(__dirname, "prepareCaches.ts"))}).prepareCaches()` +
        `.then((p) => console.log(JSON.stringify(p)));`,
      { [TRANSLATIONS_FOLDER_ENV]: "off", [SNAPSHOT_FOLDER_ENV]: "off" },
    );
    expect(prepared).toMatchObject({ translationsFolder: null, translations: 0, snapshot: null });
    expect(formatPrepared(prepared)).toMatch(
      /^Prepared for npm start in \d+\.\d s: no SQL translations \(kept none\), no chart renderer snapshot$/,
    );
  }, 60_000);

  it("names the folders it filled, relative to the working folder", () => {
    const line = formatPrepared(
      {
        translationsFolder: "/shop/node_modules/.cache/t",
        translations: 72,
        snapshot: "/shop/node_modules/.cache/r/renderer-1.blob",
        seconds: 3.14,
      },
      "/shop",
    );
    expect(line).toBe(
      "Prepared for npm start in 3.1 s: 72 SQL translations in node_modules/.cache/t, " +
        "the chart renderer's snapshot in node_modules/.cache/r/renderer-1.blob",
    );
  });
});
