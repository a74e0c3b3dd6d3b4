/** Finished offsets from `from` to `to`, both included. */
interface Range {
  from: bigint;
  to: bigint;
}

/**
 * Tracks the messages of one partition that are in flight or finished, and says up to where
 * the partition may be committed: just before the lowest message not yet finished. It outlives
 * rebalances: when a partition comes back (or is re-read from an older commit), messages that
 * are still running or already answered are recognised and not run again. Finished offsets are
 * kept as ranges, so that any number of them behind a stuck one costs a few entries.
 */
export class OffsetTracker {
  private readonly pending = new Set<bigint>();
  /** Finished offsets at or above `floor`, sorted, disjoint, never adjacent. */
  private done: Range[] = [];
  /** Every offset below it was finished here (or is not a message: a gap of the log). */
  private floor = 0n;
  private highestStarted = -1n;
  private committed = -1n;

  /** Records the start of `offset`; false when it is running or finished already. */
  start(offset: string): boolean {
    const value = BigInt(offset);
    if (value < this.floor || this.pending.has(value) || this.isDone(value)) return false;
    this.pending.add(value);
    if (value > this.highestStarted) this.highestStarted = value;
    return true;
  }

  finish(offset: string): void {
    const value = BigInt(offset);
    if (this.pending.delete(value)) this.markDone(value);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** What the tracker holds: offsets in flight, and ranges of finished ones. */
  get entries(): number {
    return this.pending.size + this.done.length;
  }

  /** The offset to commit (the next one to read) if it moved since the last call, else null. */
  takeCommittable(): string | null {
    let next = this.highestStarted + 1n;
    for (const offset of this.pending) if (offset < next) next = offset;
    if (next > this.floor) this.floor = next;
    let below = 0;
    while (below < this.done.length && this.done[below].to < next) below++;
    if (below > 0) this.done.splice(0, below);
    if (next <= this.committed) return null;
    this.committed = next;
    return next.toString();
  }

  /** Forgets what was committed, so the next call reports the position again (after a rejoin). */
  recommit(): void {
    this.committed = -1n;
  }

  /** The index of the first range that starts after `value`. */
  private after(value: bigint): number {
    let low = 0;
    let high = this.done.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.done[middle].from > value) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  private isDone(value: bigint): boolean {
    const index = this.after(value) - 1;
    return index >= 0 && this.done[index].to >= value;
  }

  private markDone(value: bigint): void {
    const index = this.after(value);
    const previous = index > 0 ? this.done[index - 1] : undefined;
    const next = index < this.done.length ? this.done[index] : undefined;
    const joinsPrevious = previous !== undefined && previous.to + 1n === value;
    const joinsNext = next !== undefined && next.from - 1n === value;
    if (joinsPrevious && joinsNext) {
      previous.to = next.to;
      this.done.splice(index, 1);
    } else if (joinsPrevious) previous.to = value;
    else if (joinsNext) next.from = value;
    else this.done.splice(index, 0, { from: value, to: value });
  }
}
