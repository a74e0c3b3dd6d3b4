/** One id this process ran, or runs: `run` until the run finishes. */
interface Entry {
  id: string;
  run: Promise<void> | undefined;
}

/**
 * The request ids this process ran lately, to recognise a request delivered twice (a publish
 * retried after a lost acknowledgement writes it again, next to the first copy): a copy that
 * arrives while the first runs waits for it, one that arrives after it is dropped. Bounded by
 * count: the oldest ids are forgotten first. Copies read by another process are not seen here.
 */
export class RecentRequests {
  private readonly seen = new Map<string, Entry>();
  /**
   * The entries in the order they were added, from `head` on; some may have left `seen` since
   * (a failed run). The oldest is found here: asking a Map for its first key walks over every
   * key deleted before it, which made each eviction cost thousands of steps.
   */
  private order: Entry[] = [];
  private head = 0;

  constructor(private readonly capacity = 10_000) {}

  /**
   * Runs `work` unless `id` is running or ran here already; resolves with whether it ran. An
   * empty id (a producer that sets none) names no request: its work always runs.
   */
  async once(id: string, work: () => Promise<void>): Promise<boolean> {
    if (!id) {
      await work();
      return true;
    }
    const earlier = this.seen.get(id);
    if (earlier !== undefined) {
      // A copy is done with when the first run is: acknowledging it earlier could commit past
      // a first run that fails.
      if (earlier.run !== undefined) await earlier.run;
      return false;
    }
    const entry: Entry = { id, run: work() };
    this.seen.set(id, entry);
    this.order.push(entry);
    if (this.seen.size > this.capacity) this.forgetOldest();
    else if (this.order.length - this.head > 2 * this.capacity) this.compact();
    try {
      await entry.run;
    } catch (error: unknown) {
      this.seen.delete(id);
      throw error;
    }
    entry.run = undefined;
    return true;
  }

  /** Forgets the id added longest ago that is still remembered. */
  private forgetOldest(): void {
    while (this.head < this.order.length) {
      const oldest = this.order[this.head++];
      if (this.seen.get(oldest.id) === oldest) {
        this.seen.delete(oldest.id);
        break;
      }
    }
    if (this.head >= this.capacity) this.compact();
  }

  /** Drops the entries before `head` and those no longer remembered, keeping the order. */
  private compact(): void {
    this.order = this.order.slice(this.head).filter((entry) => this.seen.get(entry.id) === entry);
    this.head = 0;
  }
}
