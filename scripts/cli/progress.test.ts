import { ProgressLine, type ProgressStream } from "./progress";

function recorder(isTTY: boolean): ProgressStream & { text: string } {
  const stream = {
    isTTY,
    columns: 60,
    text: "",
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

describe("ProgressLine", () => {
  it("prints one line per stage, and no duration, when not on a terminal, however many updates", () => {
    const stream = recorder(false);
    let now = 0;
    const progress = new ProgressLine(stream, () => now);
    for (let i = 1; i <= 1000; i++) {
      now += 5;
      progress.update("lake", "events", i, 1000);
    }
    progress.update("load", "raw", 0, 8);
    now += 1500;
    progress.finish();
    expect(stream.text).toBe("lake...\nload...\n");
  });

  it("redraws a single line on a terminal at most ten times a second", () => {
    const stream = recorder(true);
    let now = 0;
    const progress = new ProgressLine(stream, () => now);
    for (let i = 1; i <= 1000; i++) {
      now += 1;
      progress.update("generate", "events", i, 1000);
    }
    progress.finish();
    const redraws = stream.text.split("\r").length - 1;
    expect(redraws).toBeGreaterThanOrEqual(9);
    expect(redraws).toBeLessThanOrEqual(11);
    expect(stream.text).not.toContain("\n");
    // The stage's line is cleared at its end: the closing summary holds its one timing.
    expect(stream.text.endsWith("\r\x1b[2K")).toBe(true);
    expect(stream.text).not.toMatch(/done in/);
    for (const line of stream.text.split("\r"))
      expect(line.replace("\x1b[2K", "").length).toBeLessThanOrEqual(60);
  });
});
