/**
 * Tracks the messages of one partition that are in flight, and says up to where the
 * partition may be committed: just before the lowest message not yet finished.
 */
export class OffsetTracker {
  private readonly pending = new Set<bigint>();
  private highestStarted = -1n;
  private committed = -1n;

  start(offset: string): void {
    const value = BigInt(offset);
    this.pending.add(value);
    if (value > this.highestStarted) this.highestStarted = value;
  }

  finish(offset: string): void {
    this.pending.delete(BigInt(offset));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** The offset to commit (the next one to read) if it moved since the last call, else null. */
  takeCommittable(): string | null {
    let next = this.highestStarted + 1n;
    for (const offset of this.pending) if (offset < next) next = offset;
    if (next <= this.committed) return null;
    this.committed = next;
    return next.toString();
  }
}
