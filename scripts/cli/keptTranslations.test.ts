import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { keepTranslationsIn, translationsKeptIn } from "../../functions/src/sql/translate";
import {
  DEFAULT_TRANSLATIONS_FOLDER,
  keepTranslations,
  TRANSLATIONS_FOLDER_ENV,
} from "./keptTranslations";

const SCRIPTS = join(__dirname, "..");
const TRANSLATE = join(SCRIPTS, "..", "functions", "src", "sql", "translate.ts");

afterEach(() => keepTranslationsIn(null));

describe("where the commands keep SQL translations", () => {
  it("is the project's node_modules/.cache unless the environment says otherwise", () => {
    expect(keepTranslations({})).toBe(DEFAULT_TRANSLATIONS_FOLDER);
    expect(DEFAULT_TRANSLATIONS_FOLDER).toBe(
      resolve(SCRIPTS, "..", "node_modules", ".cache", "ecommerce-analytics", "duckdb-sql"),
    );
    expect(translationsKeptIn()).toBe(DEFAULT_TRANSLATIONS_FOLDER);
  });

  it("is the folder the environment names, or none for off", () => {
    expect(keepTranslations({ [TRANSLATIONS_FOLDER_ENV]: "some/where" })).toBe(
      resolve("some/where"),
    );
    expect(keepTranslations({ [TRANSLATIONS_FOLDER_ENV]: "off" })).toBeNull();
    expect(translationsKeptIn()).toBeNull();
  });

  describe("when a command runs as a process", () => {
    let probeDir: string;
    beforeAll(async () => {
      probeDir = await mkdtemp(join(tmpdir(), "kept-probe-"));
      // Preloaded beside the entry script; prints where the command keeps translations at exit.
      await writeFile(
        join(probeDir, "probe.js"),
        `process.on("exit", () => process.stdout.write("\\n" + JSON.stringify(require(${JSON.stringify(TRANSLATE)}).translationsKeptIn()) + "\\n"));`,
      );
    });
    afterAll(() => rm(probeDir, { recursive: true, force: true }));

    it.each(["start.ts", "replay.ts", "serve.ts", "query.ts", join("report", "cli.ts")])(
      "%s keeps them",
      (script) => {
        const result = spawnSync(
          process.execPath,
          [
            "--require",
            "tsx/cjs",
            "--require",
            join(probeDir, "probe.js"),
            join(SCRIPTS, script),
            "--help",
          ],
          { encoding: "utf8", env: { ...process.env, [TRANSLATIONS_FOLDER_ENV]: probeDir } },
        );
        expect(result.status).toBe(0);
        expect(JSON.parse(result.stdout.trim().split("\n").pop()!)).toBe(probeDir);
      },
    );
  });
});
