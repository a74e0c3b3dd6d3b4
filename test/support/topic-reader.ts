import type { Consumer } from 'kafkajs';
import { testKafka, uniqueName } from './kafka.js';

/** A message read back by a test, with its headers as strings. */
export interface ReadMessage {
  partition: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/** Reads `topic` from its beginning with a group of its own, keeping every message, until `stop()`. */
export async function readTopic(topic: string): Promise<{ messages: ReadMessage[]; stop: () => Promise<void> }> {
  const consumer: Consumer = testKafka().consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 50 });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
      messages.push({ partition, key: message.key?.toString() ?? null, value: message.value ?? Buffer.alloc(0), headers });
      return Promise.resolve();
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}
