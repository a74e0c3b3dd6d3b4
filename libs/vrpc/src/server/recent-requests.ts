/**
 * The request ids this process ran lately, to recognise a request delivered twice (a publish
 * retried after a lost acknowledgement writes it again, next to the first copy): a copy that
 * arrives while the first runs waits for it, one that arrives after it is dropped. Bounded by
 * count: the oldest ids are forgotten first. Copies read by another process are not seen here.
 */
export class RecentRequests {
  private readonly seen = new Map<string, Promise<void> | 'done'>();

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
      if (earlier !== 'done') await earlier;
      return false;
    }
    const run = work();
    this.seen.set(id, run);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    try {
      await run;
    } catch (error: unknown) {
      this.seen.delete(id);
      throw error;
    }
    if (this.seen.get(id) === run) this.seen.set(id, 'done');
    return true;
  }
}
