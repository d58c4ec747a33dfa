import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RowsTableDef, RowValue } from "./types";
import { writeNdjson } from "./rowsFile";

const TABLE: RowsTableDef = {
  dataset: "snapshots",
  name: "scores",
  description: "A test table computed in code.",
  clustering: [],
  columns: [
    { name: "day", type: "DATE", nullable: false, description: "" },
    { name: "id", type: "STRING", nullable: false, description: "" },
    { name: "score", type: "FLOAT64", nullable: true, description: "" },
  ],
};

describe("writeNdjson", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), "rows-file-"));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const written = async (rows: readonly Record<string, RowValue>[]) => {
    const file = join(folder, "rows.ndjson");
    await writeNdjson(TABLE, rows, file);
    return readFileSync(file, "utf8");
  };

  it("writes one line per row, its columns in declaration order whatever the row's order", async () => {
    expect(
      await written([
        { score: 0.5, id: "a", day: "2024-01-01" },
        { id: 'say "hi"\nthen go', score: null, day: "2024-01-02" },
      ]),
    ).toBe(
      '{"day":"2024-01-01","id":"a","score":0.5}\n' +
        '{"day":"2024-01-02","id":"say \\"hi\\"\\nthen go","score":null}\n',
    );
  });

  it("writes every row once when the rows fill many write pieces", async () => {
    // About 300 characters a row: 5,000 rows are about 23 pieces of 64k characters.
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      day: "2024-01-01",
      id: `${i}`.padStart(280, "x"),
      score: i / 7,
    }));
    const lines = (await written(rows)).split("\n");
    expect(lines.pop()).toBe(""); // the last line ends with a newline too
    expect(lines).toHaveLength(rows.length);
    lines.forEach((line, i) => expect(JSON.parse(line)).toEqual(rows[i]));
  });

  it("writes an empty file for no rows", async () => {
    expect(await written([])).toBe("");
  });
});
