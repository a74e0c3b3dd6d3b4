import type { GroupOffsetsPort } from './group-offsets.interface.js';

const PREFIX = 'vrpc-attempts:';

/** Where a partition stood when this member took it: the next offset and how often it was taken there before. */
interface Resumption {
  offset: string;
  deliveries: number;
}

/**
 * Counts how often the message at a partition's committed offset was handed out. Kafka keeps no
 * such count, so it travels in the commit's metadata: on every assignment, a member that finds
 * its own marker at the committed offset increments it and commits it back before reading. A
 * message that crashes every process that takes it stays at the committed offset, and its count
 * grows with every crash; any other message is on its first delivery. Client-neutral: each Kafka
 * bus gives it a port to its group's commits.
 */
export class DeliveryAttempts {
  private resumptions = new Map<string, Resumption>();

  constructor(private readonly offsets: GroupOffsetsPort) {}

  /**
   * Reads and bumps the markers of the partitions just assigned. A partition this member held
   * in the generation before (`kept`) was not handed out again: its messages are still with
   * the same process, so its count stays as it was.
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
    const bumps = [];
    for (const topic of topics) {
      const partitions = committed.filter((commit) => commit.topic === topic);
      const starts = partitions.some((p) => p.offset === '-1') ? await this.offsets.earliest(topic) : new Map<number, string>();
      for (const { partition, metadata, ...position } of partitions) {
        if (!assignment[topic]?.includes(partition) || isKept(topic, partition)) continue;
        // A group that never committed reads from the start (subscriptions use fromBeginning).
        const offset = position.offset === '-1' ? starts.get(partition) : position.offset;
        if (offset === undefined) continue;
        const previous = metadata?.startsWith(`${PREFIX}${offset}:`) ? Number(metadata.split(':')[2]) : 0;
        const deliveries = previous + 1;
        next.set(`${topic}:${partition}`, { offset, deliveries });
        bumps.push({ topic, partition, offset, metadata: `${PREFIX}${offset}:${deliveries}` });
      }
    }
    this.resumptions = next;
    if (bumps.length > 0) await this.offsets.commitWithMetadata(bumps);
  }

  /** How many times the message at `offset` has been delivered, this time included. */
  deliveries(topic: string, partition: number, offset: string): number {
    const resumption = this.resumptions.get(`${topic}:${partition}`);
    return resumption?.offset === offset ? resumption.deliveries : 1;
  }
}
