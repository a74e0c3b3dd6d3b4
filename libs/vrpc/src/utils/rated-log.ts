/** Writes one log line. */
export type LogSink = (line: string) => void;

interface Tally {
  count: number;
  last: string;
  timer: NodeJS.Timeout;
}

/**
 * Logs events that can repeat once per message (a copy skipped, a request expired, a reply
 * dropped) without letting a flood of messages flood the log: the first event of a kind is
 * written at once, the others of the next `intervalMs` are counted and written as one line
 * with their count and the last of them.
 */
export class RatedLog {
  private readonly tallies = new Map<string, Tally>();

  constructor(
    private readonly sink: LogSink,
    private readonly intervalMs = 10_000,
  ) {}

  /** Records one event of `kind`, described by `line` (already escaped). */
  note(kind: string, line: string): void {
    const tally = this.tallies.get(kind);
    if (tally) {
      tally.count++;
      tally.last = line;
      return;
    }
    this.sink(line);
    const timer = setTimeout(() => this.flush(kind), this.intervalMs);
    timer.unref();
    this.tallies.set(kind, { count: 0, last: line, timer });
  }

  /** Writes what is counted and not yet written (at close). */
  close(): void {
    for (const kind of [...this.tallies.keys()]) {
      clearTimeout(this.tallies.get(kind)?.timer);
      this.flush(kind);
    }
  }

  private flush(kind: string): void {
    const tally = this.tallies.get(kind);
    this.tallies.delete(kind);
    if (tally && tally.count > 0) this.sink(`${tally.count} more in ${this.intervalMs / 1000} s, the last: ${tally.last}`);
  }
}
