const TICK_MS = 250;

function clock(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * The progress display, on stderr: one line per finished step; on a terminal, also a live
 * line for the step under way (elapsed against expected, and the run's elapsed time).
 */
export class Progress {
  private readonly began = performance.now();
  private readonly live = process.stderr.isTTY;
  private done = 0;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly total: number) {}

  /** Shows `label` as under way until `finish` or `fail`. */
  start(label: string, expectedMs: number): void {
    this.stopTicker();
    if (!this.live) return;
    const stepBegan = performance.now();
    const draw = () => {
      const spent = performance.now() - stepBegan;
      const bound = expectedMs > 0 ? `${(spent / 1000).toFixed(1)}/${(expectedMs / 1000).toFixed(0)} s` : `${(spent / 1000).toFixed(1)} s`;
      process.stderr.write(`\r\x1b[2K${this.prefix()} ${label} · ${bound} · run ${clock(performance.now() - this.began)}`);
    };
    draw();
    this.ticker = setInterval(draw, TICK_MS);
  }

  /** Ends the step under way with its result. */
  finish(line: string): void {
    const prefix = this.prefix();
    this.done++;
    this.print(`${prefix} ${line}`);
  }

  /** A line that is not a step (setup, warnings). */
  note(line: string): void {
    this.print(line);
  }

  close(): void {
    this.stopTicker();
  }

  private prefix(): string {
    const width = String(this.total).length;
    return `[${String(Math.min(this.done + 1, this.total)).padStart(width)}/${this.total}]`;
  }

  private print(line: string): void {
    this.stopTicker();
    process.stderr.write(`${this.live ? '\r\x1b[2K' : ''}${line}\n`);
  }

  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
