import type { Admin } from 'kafkajs';
import { VrpcPublishError } from '../../errors/vrpc-publish.error.js';
import type { OutgoingMessage } from '../bus.interface.js';

/** Topics whose partition counts are remembered; any topic can be named by a `reply_to`. */
const MAX_TOPICS = 1_000;

/**
 * Checks explicit partitions before a kafkajs send: kafkajs drops a message addressed to a
 * partition its topic does not have and reports the send as a success. Partition counts are
 * read from the cluster once per topic, and again when a message names a partition beyond it.
 */
export class KafkaPartitionCheck {
  private readonly counts = new Map<string, number>();

  constructor(private readonly admin: () => Promise<Admin>) {}

  /** Rejects with a final `unknown-partition` error if a message names a partition its topic lacks. */
  async check(messages: OutgoingMessage[]): Promise<void> {
    for (const { topic, partition } of messages) {
      if (partition === undefined || partition < (this.counts.get(topic) ?? 0)) continue;
      const count = await this.fetch(topic);
      if (partition >= count || partition < 0) {
        throw new VrpcPublishError('kafka', 'unknown-partition', true, `topic ${topic} has no partition ${partition} (it has ${count})`);
      }
    }
  }

  private async fetch(topic: string): Promise<number> {
    const { topics } = await (await this.admin()).fetchTopicMetadata({ topics: [topic] });
    const count = topics[0]?.partitions.length ?? 0;
    if (this.counts.size >= MAX_TOPICS) this.counts.clear();
    this.counts.set(topic, count);
    return count;
  }
}
