import { VrpcPublishError } from '../../errors/vrpc-publish.error.js';
import type { OutgoingMessage } from '../bus.interface.js';

/** Topics whose partition counts are remembered; any topic can be named by a `reply_to`. */
const MAX_TOPICS = 1_000;

/**
 * Checks explicit partitions before a send: both Kafka clients drop a message addressed to a
 * partition its topic does not have and report the send as a success. Partition counts are read
 * from the cluster once per topic (`count`, which fails on an unknown topic), and again when a
 * message names a partition beyond the one remembered.
 */
export class PartitionCheck {
  private readonly counts = new Map<string, number>();

  /** @param bus the bus's name, for the errors */
  constructor(
    private readonly bus: string,
    private readonly count: (topic: string) => Promise<number>,
  ) {}

  /** Rejects with a final `unknown-partition` error if a message names a partition its topic lacks. */
  async check(messages: OutgoingMessage[]): Promise<void> {
    for (const { topic, partition } of messages) {
      if (partition === undefined || (partition >= 0 && partition < (this.counts.get(topic) ?? 0))) continue;
      const count = await this.fetch(topic);
      if (partition >= count || partition < 0) {
        throw new VrpcPublishError(this.bus, 'unknown-partition', true, `topic ${topic} has no partition ${partition} (it has ${count})`);
      }
    }
  }

  private async fetch(topic: string): Promise<number> {
    const count = await this.count(topic);
    if (this.counts.size >= MAX_TOPICS) this.counts.clear();
    this.counts.set(topic, count);
    return count;
  }
}
