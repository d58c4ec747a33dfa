import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_CHARTS } from "../testing/chartSpecs";
import { ChartSet, type ChartSpec } from "./render";
import {
  compiledChartsFolder,
  keepRendererSnapshotIn,
  prepareRendererSnapshot,
  rendererArgs,
} from "./rendererSnapshot";

async function render(specs: readonly [string, ChartSpec][]): Promise<string[]> {
  const charts = new ChartSet();
  const html = specs.map(([title, spec]) => charts.add(title, spec)).join("\n");
  return (await charts.render(html)).split("\n");
}

/** The SVGs of charts compiled with their data, as every renderer drew them before the cache. */
async function compiledWithData(specs: readonly [string, ChartSpec][]): Promise<string[]> {
  keepRendererSnapshotIn(null);
  try {
    return await render(specs);
  } finally {
    keepRendererSnapshotIn(folder);
  }
}

function keptFiles(): string[] {
  const compiled = compiledChartsFolder()!;
  return existsSync(compiled) ? readdirSync(compiled).sort() : [];
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "compiled-charts-"));
  keepRendererSnapshotIn(folder);
  // The renderers under test start from the snapshot, as in `npm start`.
  await prepareRendererSnapshot();
}, 60_000);
beforeEach(async () => {
  await rm(compiledChartsFolder()!, { recursive: true, force: true });
});
afterAll(async () => {
  keepRendererSnapshotIn(null);
  await rm(folder, { recursive: true, force: true });
});

describe("compiled charts kept between renderers", () => {
  it("are passed to the renderer last on its command line, inside the snapshot's folder, or none", () => {
    expect(rendererArgs().at(-1)).toBe(compiledChartsFolder());
    expect(compiledChartsFolder()).toMatch(/\/compiled-[0-9a-f]{32}$/);
    expect(compiledChartsFolder()!.startsWith(folder)).toBe(true);
    keepRendererSnapshotIn(null);
    try {
      expect(compiledChartsFolder()).toBeNull();
      expect(rendererArgs().at(-1)).toBe("none");
    } finally {
      keepRendererSnapshotIn(folder);
    }
  });

  it("draw the same SVGs as charts compiled with their data, kept once per shape and read back", async () => {
    const expected = await compiledWithData(SAMPLE_CHARTS);
    expect(await render(SAMPLE_CHARTS)).toEqual(expected);
    expect(keptFiles()).toHaveLength(SAMPLE_CHARTS.length);
    expect(keptFiles().every((f) => /^[0-9a-f]{32}\.json$/.test(f))).toBe(true);

    // Read back, not compiled again: a kept file's text is what the next renderer draws.
    const compiled = compiledChartsFolder()!;
    for (const file of keptFiles()) {
      const text = await readFile(join(compiled, file), "utf8");
      await writeFile(join(compiled, file), text.replace("Kept or compiled", "Read back"));
    }
    const again = await render(SAMPLE_CHARTS);
    expect(again[0]).toContain("Read back");
    expect(again[0]).not.toContain("Kept or compiled");
    expect(again.slice(1)).toEqual(expected.slice(1));
  });

  it("draw each chart's own data from a shape kept for other data", async () => {
    const [title, spec] = SAMPLE_CHARTS[0]!;
    const other = (k: number): [string, ChartSpec][] => [
      [
        title,
        {
          ...spec,
          data: { values: [1, 2, 3, 4, 5].map((x) => ({ x, y: k * x, kind: x > 2 ? "b" : "a" })) },
        },
      ],
    ];
    await render(SAMPLE_CHARTS);
    const kept = keptFiles();
    for (const k of [3, 7])
      expect(await render(other(k))).toEqual(await compiledWithData(other(k)));
    expect(keptFiles()).toEqual(kept); // the same shape: no new file
    expect((await render(other(3)))[0]).not.toEqual((await render(other(7)))[0]);
  });

  it("compile again over a kept file that cannot be read or does not lead to its values, and keep the new one", async () => {
    const expected = await compiledWithData(SAMPLE_CHARTS);
    await render(SAMPLE_CHARTS);
    const compiled = compiledChartsFolder()!;
    const [broken, ...rest] = keptFiles();
    const read = (file: string) =>
      JSON.parse(readFileSync(join(compiled, file), "utf8")) as unknown;
    const first = new Map([broken!, ...rest].map((file) => [file, read(file)]));
    await writeFile(join(compiled, broken!), '{"path": [');
    await writeFile(join(compiled, rest[0]!), '{"path": [], "runtime": {}}');
    // A path that leads elsewhere in the runtime spec than to the placeholder.
    const valid = JSON.parse(await readFile(join(compiled, rest[1]!), "utf8")) as object;
    await writeFile(join(compiled, rest[1]!), JSON.stringify({ ...valid, path: ["operators"] }));
    expect(await render(SAMPLE_CHARTS)).toEqual(expected);
    // Each damaged file was compiled again and kept: what the first render kept, to the letter.
    for (const file of [broken!, ...rest])
      expect([file, read(file)]).toEqual([file, first.get(file)]);
  });

  it("empty a folder that holds as many files as they keep before adding one", async () => {
    const compiled = compiledChartsFolder()!;
    await mkdir(compiled, { recursive: true });
    const filler = Array.from({ length: 256 }, (_, i) => `${String(i).padStart(32, "0")}.json`);
    for (const name of filler) await writeFile(join(compiled, name), "{}");
    await render(SAMPLE_CHARTS.slice(0, 1));
    expect(keptFiles()).toHaveLength(1);
    expect(filler).not.toContain(keptFiles()[0]);
    // Below the limit nothing is removed.
    await render(SAMPLE_CHARTS.slice(1));
    expect(keptFiles()).toHaveLength(SAMPLE_CHARTS.length);
  });

  it("are not kept when the folder cannot be written, and the charts still render", async () => {
    const expected = await compiledWithData(SAMPLE_CHARTS);
    const compiled = compiledChartsFolder()!;
    await writeFile(compiled, "a file where the folder should be");
    try {
      expect(await render(SAMPLE_CHARTS)).toEqual(expected);
    } finally {
      await rm(compiled, { force: true });
    }
  });
});

describe("slotPath", () => {
  /** `slotPath` of a value, run in Node itself: the module is ESM, like the renderer. */
  function slotPathOf(runtime: unknown): unknown {
    const script =
      `import { slotPath } from ${JSON.stringify(join(__dirname, "compiledCharts.mjs"))};\n` +
      `process.stdout.write(JSON.stringify(slotPath(${JSON.stringify(runtime)}) ?? "null"));`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    expect(result.stderr).toBe("");
    return JSON.parse(result.stdout) as unknown;
  }
  const slot = [{ __chart_values__: true }];

  it("finds the placeholder's one array", () => {
    expect(slotPathOf({ operators: [{ id: 0 }, { value: { $ingest: slot } }] })).toEqual([
      "operators",
      1,
      "value",
      "$ingest",
    ]);
  });

  it("refuses a runtime spec that holds the placeholder twice, elsewhere than its own array, or not at all", () => {
    expect(slotPathOf({ a: slot, b: slot })).toBe("null");
    expect(slotPathOf({ a: slot, b: { __chart_values__: true } })).toBe("null");
    expect(slotPathOf({ a: slot, b: "__chart_values__" })).toBe("null");
    expect(slotPathOf({ a: [1] })).toBe("null");
    // Only the one-row array is the placeholder, not a longer array starting with its row.
    expect(slotPathOf({ a: [{ __chart_values__: true }, 1] })).toBe("null");
  });
});
