import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SAMPLE_CHARTS } from "../testing/chartSpecs";
import { ChartSet } from "./render";
import {
  compiledChartsFolder,
  DEFAULT_SNAPSHOT_FOLDER,
  keepRendererSnapshot,
  keepRendererSnapshotIn,
  prepareRendererSnapshot,
  RENDERER_NODE_FLAGS,
  rendererArgs,
  rendererSnapshotFile,
  SNAPSHOT_FOLDER_ENV,
} from "./rendererSnapshot";

const SCRIPTS = join(__dirname, "..", "..");

async function renderAll(): Promise<string> {
  const charts = new ChartSet();
  const html = SAMPLE_CHARTS.map(([title, spec]) => charts.add(title, spec)).join("\n");
  return charts.render(html);
}

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "renderer-snapshot-"));
});
afterEach(async () => {
  keepRendererSnapshotIn(null);
  await rm(folder, { recursive: true, force: true });
});

describe("the chart renderer's startup snapshot", () => {
  it("is kept in the project's node_modules/.cache unless the environment says otherwise", () => {
    expect(keepRendererSnapshot({})).toBe(DEFAULT_SNAPSHOT_FOLDER);
    expect(DEFAULT_SNAPSHOT_FOLDER).toBe(
      resolve(SCRIPTS, "..", "node_modules", ".cache", "ecommerce-analytics", "chart-renderer"),
    );
    expect(keepRendererSnapshot({ [SNAPSHOT_FOLDER_ENV]: "some/where" })).toBe(
      resolve("some/where"),
    );
    expect(keepRendererSnapshot({ [SNAPSHOT_FOLDER_ENV]: "off" })).toBeNull();
    expect(rendererSnapshotFile()).toBeNull();
  });

  it("is not used or built unless a folder keeps it: renderers start from their script", async () => {
    expect(rendererArgs()).toEqual([
      ...RENDERER_NODE_FLAGS,
      join(__dirname, "renderSvg.mjs"),
      "none", // and keep no compiled charts
    ]);
    await expect(prepareRendererSnapshot()).resolves.toBeNull();
  });

  it("is built once into the folder, later renderers start from it with the same SVGs, and a new one replaces old ones", async () => {
    const fromScript = await renderAll();

    keepRendererSnapshotIn(folder);
    const file = rendererSnapshotFile()!;
    expect(file).toMatch(/renderer-[0-9a-f]{32}\.blob$/);
    expect(file.startsWith(folder)).toBe(true);
    const compiled = compiledChartsFolder()!;
    expect(compiled).toBe(file.replace(/renderer-([0-9a-f]{32})\.blob$/, "compiled-$1"));
    // The first renderer starts from the script and starts the build beside it.
    expect(rendererArgs()).toEqual([
      ...RENDERER_NODE_FLAGS,
      join(__dirname, "renderSvg.mjs"),
      compiled,
    ]);
    const building = prepareRendererSnapshot();
    expect(prepareRendererSnapshot()).toBe(building); // one build, however often it is asked for
    await expect(building).resolves.toBe(file);
    // Only the finished file is left: the bundle and the half-built snapshot are gone.
    expect(readdirSync(folder)).toEqual([file.slice(folder.length + 1)]);

    expect(rendererArgs()).toEqual([...RENDERER_NODE_FLAGS, "--snapshot-blob", file, compiled]);
    expect(await renderAll()).toBe(fromScript);
    expect(existsSync(compiled)).toBe(true); // the charts it compiled, kept beside it

    // A snapshot and compiled charts of other packages or sources are removed by the next
    // build; this key's compiled charts and other files stay.
    await writeFile(join(folder, `renderer-${"0".repeat(32)}.blob`), "");
    await mkdir(join(folder, `compiled-${"0".repeat(32)}`));
    await writeFile(join(folder, `compiled-${"0".repeat(32)}`, "chart.json"), "{}");
    await writeFile(join(folder, "notes.txt"), "");
    await rm(file);
    keepRendererSnapshotIn(folder);
    await expect(prepareRendererSnapshot()).resolves.toBe(file);
    expect(readdirSync(folder).sort()).toEqual(
      [file, compiled]
        .map((f) => f.slice(folder.length + 1))
        .concat("notes.txt")
        .sort(),
    );
    expect(fromScript).toContain("<svg");
  }, 60_000);

  it("says once that it was not built when the build fails, and charts render from the script", async () => {
    const notAFolder = join(folder, "file");
    await writeFile(notAFolder, "");
    keepRendererSnapshotIn(join(notAFolder, "below"));
    const said = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await expect(prepareRendererSnapshot()).resolves.toBeNull();
      await expect(prepareRendererSnapshot()).resolves.toBeNull();
      expect(said).toHaveBeenCalledTimes(1);
      expect(String(said.mock.calls[0]![0])).toMatch(
        /^The chart renderer's startup snapshot was not built \(.*\); charts render without it\.\n$/,
      );
    } finally {
      said.mockRestore();
    }
    expect(rendererArgs()[1]).toBe(join(__dirname, "renderSvg.mjs"));
    expect(await renderAll()).toContain("<svg");
  }, 60_000);

  it.each(["start.ts", join("report", "cli.ts")])(
    "is kept by %s when it runs as a process",
    async (script) => {
      const probe = join(folder, "probe.js");
      await writeFile(
        probe,
        `process.on("exit", () => process.stdout.write("\\n" + JSON.stringify(require(${JSON.stringify(
          join(__dirname, "rendererSnapshot.ts"),
        )}).rendererSnapshotFile()) + "\\n"));`,
      );
      const result = spawnSync(
        process.execPath,
        ["--require", "tsx/cjs", "--require", probe, join(SCRIPTS, script), "--help"],
        { encoding: "utf8", env: { ...process.env, [SNAPSHOT_FOLDER_ENV]: join(folder, "kept") } },
      );
      expect(result.status).toBe(0);
      const file = JSON.parse(result.stdout.trim().split("\n").pop()!) as string;
      expect(file.startsWith(join(folder, "kept", "renderer-"))).toBe(true);
      expect(existsSync(file)).toBe(false); // `--help` renders nothing, so nothing was built
    },
  );
});
