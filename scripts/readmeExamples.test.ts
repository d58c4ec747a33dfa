/**
 * The README's function examples, run as written after `npm start` (on a smaller world in a
 * temporary folder): each curl answers 200 and adds no duplicate key, and neither rewinds a state
 * table nor moves the data's last day.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FUNCTION_ENV } from "../functions/src/backends/fromEnv";
import { RAW_TABLE_LIST } from "../functions/src/contract";
import { setLogSink } from "../functions/src/handlers/log";
import { withDuckDbReadOnly } from "../functions/src/handlers/testSupport";
import { warehousePath } from "./dataFolder";
import { serve } from "./replayDays";
import { start } from "./start";

interface Example {
  readonly target: string;
  readonly contentType: string | null;
  readonly body: string;
}

/** The curl examples of the README's bash blocks, with the function each one's port serves. */
function readmeExamples(markdown: string): Example[] {
  const targets = new Map<string, string>();
  const examples: Example[] = [];
  for (const block of markdown.matchAll(/```bash\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.replace(/\\\n\s*/g, " ").split("\n")) {
      const served = /npm run serve -- --target[= ](\w+) --port[= ](\d+)/.exec(line);
      if (served) targets.set(served[2]!, served[1]!);
      const curl = /curl .*localhost:(\d+).*?(?:-H '([^']*)')?.* -d '([^']*)'/.exec(line);
      if (curl) {
        const header = /-H 'Content-Type: ([^']*)'/.exec(line);
        examples.push({
          target: targets.get(curl[1]!) ?? `port ${curl[1]}`,
          contentType: header ? header[1]! : null,
          body: curl[3]!,
        });
      }
    }
  }
  return examples;
}

const root = mkdtempSync(join(tmpdir(), "readme-"));
const saved = { ...process.env };
afterAll(async () => {
  process.env = saved;
  jest.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

it("runs the README's function examples after npm start without adding a duplicate key", async () => {
  const examples = readmeExamples(readFileSync(resolve(__dirname, "..", "README.md"), "utf8"));
  expect(examples.map((e) => e.target)).toEqual(["generateData", "refreshRfmSnapshot"]);

  jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  setLogSink(() => undefined);
  const out = join(root, "data");
  expect(await start(["--users", "3000", "--end", "2024-06-30", "--out", out])).toBe(0);
  // As `npm run serve` runs: the folder set, no world variable, so the folder's world is used.
  process.env[FUNCTION_ENV.localDataDir] = out;
  for (const name of [
    FUNCTION_ENV.generatorSeed,
    FUNCTION_ENV.generatorUsers,
    FUNCTION_ENV.generatorStartDate,
  ])
    delete process.env[name];

  const state = () =>
    withDuckDbReadOnly(warehousePath(out), async (query) => {
      const duplicates: Record<string, number> = {};
      for (const table of RAW_TABLE_LIST) {
        const [row] = await query(
          `select count(*) - count(distinct ${table.primaryKey}) as d from raw.${table.name}`,
        );
        duplicates[table.name] = Number(row!.d);
      }
      const [counts] = await query(
        `select (select count(*) from raw.subscriptions) as subscriptions,
                (select count(*) from raw.users) as users,
                (select data_through::varchar from raw.world_manifest) as data_through`,
      );
      return { duplicates, counts };
    });
  const before = await state();
  for (const example of examples) {
    const fn = await serve(example.target);
    try {
      const answer = await fn.call(JSON.parse(example.body));
      expect([example.target, answer.status, answer.body.message]).toEqual([
        example.target,
        200,
        undefined,
      ]);
    } finally {
      await fn.close();
    }
  }
  const after = await state();
  expect(Object.values(after.duplicates).every((d) => d === 0)).toBe(true);
  expect(after).toEqual(before);
});
