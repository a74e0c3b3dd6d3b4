/**
 * Tracks the messages of one partition that are in flight or finished, and says up to where
 * the partition may be committed: just before the lowest message not yet finished. It outlives
 * rebalances: when a partition comes back (or is re-read from an older commit), messages that
 * are still running or already answered are recognised and not run again.
 */
export class OffsetTracker {
  private readonly pending = new Set<bigint>();
  private readonly done = new Set<bigint>();
  private highestStarted = -1n;
  private committed = -1n;

  /** Records the start of `offset`; false when it is running or finished already. */
  start(offset: string): boolean {
    const value = BigInt(offset);
    if (this.pending.has(value) || this.done.has(value)) return false;
    this.pending.add(value);
    if (value > this.highestStarted) this.highestStarted = value;
    return true;
  }

  finish(offset: string): void {
    const value = BigInt(offset);
    if (this.pending.delete(value)) this.done.add(value);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** The offset to commit (the next one to read) if it moved since the last call, else null. */
  takeCommittable(): string | null {
    let next = this.highestStarted + 1n;
    for (const offset of this.pending) if (offset < next) next = offset;
    for (const offset of this.done) if (offset < next) this.done.delete(offset);
    if (next <= this.committed) return null;
    this.committed = next;
    return next.toString();
  }

  /** Forgets what was committed, so the next call reports the position again (after a rejoin). */
  recommit(): void {
    this.committed = -1n;
  }
}
