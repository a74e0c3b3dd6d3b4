import type { Kafka, Message } from 'kafkajs';
import { coalescingSender } from '../coalescing-sender.js';
import type { BenchClient } from '../contender.js';
import { PendingCalls } from '../pending-calls.js';
import { RAW_TUNING, rawConsumerConfig } from './raw-kafka.tuning.js';
import type { RawWire } from './raw-kafka.wire.js';

export interface RawClientNames {
  requestTopic: string;
  replyTopic: string;
  clientGroup: string;
}

/**
 * The floor's client: the request goes out at once (or with those queued behind a send under
 * way), keyed by its correlation id; a consumer reads the reply topic (fresh for the run, so
 * from its beginning) and completes the call.
 */
export async function startRawClient(kafka: Kafka, names: RawClientNames, wire: RawWire): Promise<BenchClient> {
  const pending = new PendingCalls();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer(rawConsumerConfig(names.clientGroup));
  await Promise.all([producer.connect(), consumer.connect()]);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topics: [names.replyTopic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: ({ batch }) => {
      for (const message of batch.messages) {
        const { id, reply } = wire.readReply(message);
        pending.answer(id, reply);
      }
      return Promise.resolve();
    },
  });
  await joined;

  const send = coalescingSender((messages: Message[]) =>
    producer.send({ topic: names.requestTopic, acks: RAW_TUNING.acks, messages }).then(() => undefined),
  );
  return {
    call: (request) => {
      const { id, message } = wire.request(request);
      return pending.call(id, () => send(message));
    },
    close: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
