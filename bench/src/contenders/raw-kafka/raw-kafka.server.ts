import type { Kafka } from 'kafkajs';
import { echo } from '../../shared/echo.js';
import { loadEchoCodec } from '../../shared/echo-codec.js';
import type { BenchServer } from '../contender.js';
import { RAW_TUNING, rawConsumerConfig } from './raw-kafka.tuning.js';

export interface RawServerNames {
  requestTopic: string;
  replyTopic: string;
  serverGroup: string;
}

/**
 * The floor's server: each fetched batch is decoded, echoed and answered with one produce
 * request; offsets are committed in the background.
 */
export async function startRawServer(kafka: Kafka, names: RawServerNames): Promise<BenchServer> {
  const codec = loadEchoCodec();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer(rawConsumerConfig(names.serverGroup));
  await Promise.all([producer.connect(), consumer.connect()]);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topics: [names.requestTopic], fromBeginning: true });
  await consumer.run({
    autoCommitInterval: RAW_TUNING.autoCommitInterval,
    partitionsConsumedConcurrently: RAW_TUNING.requestPartitions,
    eachBatch: async ({ batch }) => {
      const replies = batch.messages.map((message) => ({
        key: message.key,
        partition: 0,
        value: codec.responseSerialize(echo(codec.requestDeserialize(message.value ?? Buffer.alloc(0)))),
      }));
      // Awaited, so an offset is resolved only once its reply is on the broker.
      await producer.send({ topic: names.replyTopic, acks: RAW_TUNING.acks, messages: replies });
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
