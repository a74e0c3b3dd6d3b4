import { raceDeadline } from '../../utils/race-deadline.js';
import type { GroupOffsetsPort } from './group-offsets.interface.js';

const PREFIX = 'vrpc-attempts:';

const COUNT_TIMEOUT_MS = 2_000;

/** Where a partition stood when this member took it: the committed offset, and the deliveries counted there before. */
interface Resumption {
  offset: string;
  previous: number;
  /** This member's own delivery of that message, once counted (and committed). */
  counted?: Promise<number>;
}

/**
 * Counts how often the message at a partition's committed offset was handed out. Kafka keeps no
 * such count, so it travels in the commit's metadata (`vrpc-attempts:<offset>:<count>`): when a
 * member hands out the message at the offset it resumed from, it first commits that offset
 * again with the count raised by one. A message that crashes every process that takes it stays
 * at the committed offset, and its count grows with every crash. Nothing is counted for a
 * message that was never handed out (an idle partition taken over and over keeps count 0), and
 * an ordinary commit (no metadata) past the offset ends the marker. Client-neutral: each Kafka
 * bus gives it a port to its group's commits.
 */
export class DeliveryAttempts {
  private resumptions = new Map<string, Resumption>();

  /** @param onCountFailed told when a count could not be committed (the delivery still goes ahead). */
  constructor(
    private readonly offsets: GroupOffsetsPort,
    private readonly onCountFailed: (error: unknown) => void = () => undefined,
  ) {}

  /**
   * Reads the markers of the partitions just assigned; counts nothing yet. A partition this
   * member held in the generation before (`kept`) was not handed out again: it keeps its state.
   */
  async onAssignment(assignment: Record<string, number[]>, kept: Record<string, number[]> = {}): Promise<void> {
    const next = new Map<string, Resumption>();
    const isKept = (topic: string, partition: number) => kept[topic]?.includes(partition) ?? false;
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const resumption = this.resumptions.get(`${topic}:${partition}`);
        if (resumption && isKept(topic, partition)) next.set(`${topic}:${partition}`, resumption);
      }
    }
    const topics = Object.keys(assignment).filter((topic) => assignment[topic].some((partition) => !isKept(topic, partition)));
    if (topics.length === 0) {
      this.resumptions = next;
      return;
    }
    const taken = Object.fromEntries(topics.map((topic) => [topic, assignment[topic].filter((partition) => !isKept(topic, partition))]));
    const committed = await this.offsets.fetchCommitted(taken);
    for (const topic of topics) {
      const partitions = committed.filter((commit) => commit.topic === topic);
      const starts = partitions.some((p) => p.offset === '-1') ? await this.offsets.earliest(topic) : new Map<number, string>();
      for (const { partition, metadata, ...position } of partitions) {
        if (!assignment[topic]?.includes(partition) || isKept(topic, partition)) continue;
        // A group that never committed reads from the start (subscriptions use fromBeginning).
        const offset = position.offset === '-1' ? starts.get(partition) : position.offset;
        if (offset === undefined) continue;
        const previous = metadata?.startsWith(`${PREFIX}${offset}:`) ? Number(metadata.split(':')[2]) || 0 : 0;
        next.set(`${topic}:${partition}`, { offset, previous });
      }
    }
    this.resumptions = next;
  }

  /**
   * How many times the message at `offset` has been delivered, this time included. Synchronous
   * (1) for every message but the one this member resumed from: that one is counted, and the
   * count committed, before it is handed out.
   */
  deliveries(topic: string, partition: number, offset: string): number | Promise<number> {
    const resumption = this.resumptions.get(`${topic}:${partition}`);
    if (resumption?.offset !== offset) return 1;
    resumption.counted ??= this.count(topic, partition, resumption);
    return resumption.counted;
  }

  private async count(topic: string, partition: number, { offset, previous }: Resumption): Promise<number> {
    const deliveries = previous + 1;
    try {
      const commit = this.offsets.commitWithMetadata([{ topic, partition, offset, metadata: `${PREFIX}${offset}:${deliveries}` }]);
      await raceDeadline(commit, Date.now() + COUNT_TIMEOUT_MS, 'counting a delivery');
    } catch (error: unknown) {
      this.onCountFailed(error);
    }
    return deliveries;
  }
}
