/** The part of a stream the progress display writes to (a TTY has `isTTY` and `columns`). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Progress of long stages without flooding a log. On a terminal: one line rewritten in place, at
 * most ten times a second, cleared when the stage ends. Elsewhere (CI logs, pipes): one plain line
 * when a stage starts, never per item. It prints no durations: the command's closing summary
 * holds the one timing of each stage, so a stage is never shown with two different times.
 */
export class ProgressLine {
  private stage: string | null = null;
  private stageStarted = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Reports progress within a stage; a new stage name closes the previous stage. */
  update(stage: string, detail: string, done?: number, total?: number): void {
    const t = this.now();
    if (stage !== this.stage) {
      this.finish();
      this.stage = stage;
      this.stageStarted = t;
      this.lastDraw = 0;
      if (!this.stream.isTTY) this.stream.write(`${stage}...\n`);
    }
    if (!this.stream.isTTY || t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const share = total && done !== undefined ? ` ${bar(done / total)} ${done}/${total}` : "";
    const line = `${stage}: ${detail}${share} ${seconds(t - this.stageStarted)}`;
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    this.stream.write(`\r\x1b[2K${line.slice(0, width)}`);
    this.drawn = true;
  }

  /** Closes the current stage (on a terminal, clears its line). */
  finish(): void {
    if (this.stage === null) return;
    if (this.stream.isTTY && this.drawn) this.stream.write("\r\x1b[2K");
    this.stage = null;
    this.drawn = false;
  }
}

function bar(share: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * 20);
  return `[${"#".repeat(filled)}${".".repeat(20 - filled)}]`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
