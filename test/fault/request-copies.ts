import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '../support/wait-for.js';

/**
 * Reads a request topic from the start and says where each call of a load run sits on it
 * (call text → "partition P at offset O", one entry per copy): a call written twice by a
 * retried publish has two entries. Bounded: gives up reading after 20 s.
 */
export async function requestCopies(brokers: string[], topic: string, tag: string, group: string): Promise<Map<string, string[]>> {
  const pattern = new RegExp(`${tag}-\\d+`);
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const consumer = kafka.consumer({ groupId: group });
  const copies = new Map<string, string[]>();
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      seen++;
      const text = pattern.exec(message.value?.toString('latin1') ?? '')?.[0];
      if (text) copies.set(text, [...(copies.get(text) ?? []), `partition ${partition} at offset ${message.offset}`]);
      return Promise.resolve();
    },
  });
  await waitFor(() => seen >= total, 20_000).catch(() => undefined);
  await consumer.disconnect();
  return copies;
}
