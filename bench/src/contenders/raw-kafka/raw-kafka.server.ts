import type { Kafka } from 'kafkajs';
import type { BenchServer } from '../contender.js';
import { RAW_TUNING, rawConsumerConfig } from './raw-kafka.tuning.js';
import type { RawWire } from './raw-kafka.wire.js';

export interface RawServerNames {
  requestTopic: string;
  requestPartitions: number;
  replyTopic: string;
  serverGroup: string;
}

/**
 * The floor's server: each fetched batch is decoded, echoed and answered with one produce
 * request; offsets are committed at most once per interval.
 */
export async function startRawServer(kafka: Kafka, names: RawServerNames, wire: RawWire): Promise<BenchServer> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer(rawConsumerConfig(names.serverGroup));
  await Promise.all([producer.connect(), consumer.connect()]);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topics: [names.requestTopic], fromBeginning: true });
  await consumer.run({
    // kafkajs commits after every batch when `autoCommit` is on, whatever the interval: an
    // extra round trip before each fetch. Commit at most once per interval instead.
    autoCommit: false,
    autoCommitInterval: RAW_TUNING.autoCommitInterval,
    partitionsConsumedConcurrently: names.requestPartitions,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const replies = batch.messages.map((message) => ({ ...wire.reply(message), partition: 0 }));
      // Awaited, so an offset is resolved only once its reply is on the broker.
      await producer.send({ topic: names.replyTopic, acks: RAW_TUNING.acks, messages: replies });
      const last = batch.messages.at(-1);
      if (last) payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary();
    },
  });
  await joined;
  return {
    close: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
