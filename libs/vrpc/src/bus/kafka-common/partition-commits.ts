import { OffsetTracker } from './offset-tracker.js';

/** A position to commit: the next offset to read in a partition. */
export interface PartitionPosition {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * One offset tracker per partition, and the batched commit of their positions: at most every
 * `intervalMs`, one commit at a time, failures reported (a rebalance moved the partition; its
 * new owner re-reads from the last commit).
 */
export class PartitionCommits {
  private readonly trackers = new Map<string, OffsetTracker>();
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly send: (positions: PartitionPosition[]) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  tracker(topic: string, partition: number): OffsetTracker {
    const id = `${topic}\u0000${partition}`;
    let tracker = this.trackers.get(id);
    if (!tracker) {
      tracker = new OffsetTracker();
      this.trackers.set(id, tracker);
    }
    return tracker;
  }

  /**
   * After a rejoin: forgets every partition this member does not keep (held before and still
   * held), so that it never commits the position of a partition another member now owns (that
   * would move the group's position backwards and re-run answered requests); the kept ones
   * report their positions again, as commits of the old generation may have been refused.
   */
  onRebalance(before: Record<string, number[]>, after: Record<string, number[]>): void {
    for (const [id, tracker] of this.trackers) {
      const [topic, partition] = id.split('\u0000');
      const kept = before[topic]?.includes(Number(partition)) && after[topic]?.includes(Number(partition));
      if (kept) tracker.recommit();
      else this.trackers.delete(id);
    }
  }

  /** Commits soon (within `intervalMs`), unless a commit is already scheduled. */
  schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
  }

  /** Commits what may be committed now; no more scheduled commits after `stop`. */
  flush(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const positions: PartitionPosition[] = [];
      for (const [id, tracker] of this.trackers) {
        const offset = tracker.takeCommittable();
        if (offset === null) continue;
        const [topic, partition] = id.split('\u0000');
        positions.push({ topic, partition: Number(partition), offset });
      }
      if (positions.length === 0) return;
      try {
        await this.send(positions);
      } catch (error: unknown) {
        this.onError(error);
      }
    });
    return this.committing;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
