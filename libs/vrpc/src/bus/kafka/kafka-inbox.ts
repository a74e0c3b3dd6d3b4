import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerConfig } from 'kafkajs';
import type { BusInbox, InboxAddress, IncomingMessage, MessageHandler } from '../bus.interface.js';
import { logText } from '../../utils/log-text.js';
import { RatedLog } from '../../utils/rated-log.js';
import { hashString } from '../../utils/hash.js';
import { retryUntil } from '../../utils/retry.js';
import { restartAfterCrash } from './consumer-restarter.js';
import { inboxAssigner } from './inbox-assigner.js';
import { isTopicNotYetKnown, NEW_TOPIC_MS } from './new-topic.js';
import type { KafkaClients } from './kafkajs-client.js';
import { toIncoming } from './kafka-message.js';

/** The consumer settings an inbox shares with the bus's other consumers. */
export type ConsumerTimings = Pick<ConsumerConfig, 'sessionTimeout' | 'heartbeatInterval' | 'maxWaitTimeInMs'>;

/**
 * A client's private view of the shared reply topic: one partition, chosen by hashing the
 * instance id, read by a group of its own (or, whole-topic, every partition). Replies for
 * other instances that share the partitions reach the handler too; it ignores ids it does
 * not know.
 */
export class KafkaInbox implements BusInbox {
  private readonly logger = new Logger(KafkaInbox.name);
  /** Unreadable batches can come in floods: one line per interval. */
  private readonly skippedBatches = new RatedLog((line) => this.logger.warn(line));
  private consumer: Consumer | undefined;
  private groupId = '';
  address: InboxAddress = { topic: '' };

  constructor(
    private readonly clients: KafkaClients,
    private readonly timings: ConsumerTimings,
  ) {}

  /** @param wholeTopic read every partition (`whole-topic` scope), not only the one the id hashes to */
  async open(instanceId: string, topic: string, handler: MessageHandler, wholeTopic = false): Promise<void> {
    // The topic may have just been created (by us or another instance): its leaders may not be
    // elected yet, which brokers answer with retriable errors for a moment.
    const { kafkajs, kafka, admin } = this.clients;
    const { partition, starts } = await retryUntil(Date.now() + NEW_TOPIC_MS, async () => {
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const chosen = hashString(instanceId) % metadata.partitions.length;
      // Everything sent to us comes after this point: start reading from here.
      const offsets = await admin.fetchTopicOffsets(topic);
      const read = offsets.filter((entry) => wholeTopic || entry.partition === chosen);
      return { partition: chosen, starts: read.map((entry) => ({ topic, partition: entry.partition, offset: entry.high })) };
    });
    this.groupId = `vrpc.inbox.${instanceId}`;
    const consumer = kafka.consumer({
      ...this.timings,
      groupId: this.groupId,
      partitionAssigners: [inboxAssigner(kafkajs.AssignerProtocol, topic, wholeTopic ? 'all' : partition)],
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    // The first join starts at `start`; the group's commits carry the position across any later
    // rejoin or restart, so a reply sent during an outage is read once the inbox is back.
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    const run = async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      // kafkajs commits after every batch when `autoCommit` is on, whatever the interval: an
      // extra round trip before each next fetch. Commit at most once a second instead.
      await consumer.run({
        autoCommit: false,
        autoCommitInterval: 1_000,
        eachBatch: async (payload) => {
          const { batch } = payload;
          // Replies are independent of each other: hand them all out, then wait once.
          await Promise.all(
            batch.messages.map((message) => {
              const incoming = toIncoming(batch.topic, batch.partition, message);
              if (incoming.unreadable) return this.skipUnreadable(incoming);
              return handler(incoming).catch((error: unknown) => this.logger.warn(`reply handling failed: ${String(error)}`));
            }),
          );
          const last = batch.messages.at(-1);
          if (last) payload.resolveOffset(last.offset);
          await payload.commitOffsetsIfNecessary();
        },
      });
    };
    restartAfterCrash(consumer, run, () => this.consumer !== consumer, this.logger);
    await retryUntil(Date.now() + NEW_TOPIC_MS, run, (error) => !isTopicNotYetKnown(error));
    await joined;
    for (const start of starts) consumer.seek(start);
    await consumer.commitOffsets(starts);
    // A whole-topic inbox reads wherever a reply lands: its address names no partition.
    this.address = wholeTopic ? { topic } : { topic, partition };
  }

  /** A batch of replies kafkajs could not read: nothing in it can be matched to a call, so it is passed over. */
  private skipUnreadable({ topic, partition, unreadable }: IncomingMessage): Promise<void> {
    this.skippedBatches.note('unreadable', `unreadable batch on ${logText(topic)}[${partition}], skipped: ${logText(unreadable, 400)}`);
    return Promise.resolve();
  }

  /** Leaves the group and deletes it: its commits are of no use once this instance is gone. */
  async close(): Promise<void> {
    this.skippedBatches.close();
    const consumer = this.consumer;
    this.consumer = undefined;
    if (!consumer) return;
    await consumer.disconnect();
    await this.clients.admin.deleteGroups([this.groupId]).catch((error: unknown) => {
      // Left for the broker to expire with its offsets (offsets.retention.minutes).
      this.logger.debug(`inbox group ${this.groupId} not deleted: ${String(error)}`);
    });
  }
}
