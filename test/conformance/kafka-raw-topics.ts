import type { Consumer } from 'kafkajs';
import { testKafka, uniqueName } from '../support/kafka.js';
import type { RawTopics, TappedMessage } from './vrpc/scenario-context.js';

/** Raw access to the test broker through a kafkajs client of its own. */
export function kafkaRawTopics(): RawTopics {
  const producer = testKafka().producer();
  const consumers: Consumer[] = [];
  let connected: Promise<void> | undefined;
  return {
    async tap(topic) {
      const consumer = testKafka().consumer({ groupId: uniqueName('tap') });
      consumers.push(consumer);
      const seen: TappedMessage[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          seen.push({ key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0), headers });
          return Promise.resolve();
        },
      });
      return seen;
    },
    async produce(topic, message) {
      connected ??= producer.connect();
      await connected;
      await producer.send({ topic, messages: [message] });
    },
    async close() {
      await Promise.all(consumers.map((consumer) => consumer.disconnect()));
      if (connected) await producer.disconnect();
    },
  };
}
