import { describe, expect, it } from 'vitest';
import { testKafka, uniqueName, waitFor } from './support/kafka.js';

describe('the local Kafka broker', () => {
  it('carries a keyed message with headers from a producer to a consumer group', async () => {
    const kafka = testKafka();
    const topic = uniqueName('harness');
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('harness-group') });
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      const received: { key: string; value: string; header: string }[] = [];
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          received.push({
            key: String(message.key),
            value: String(message.value),
            header: String(message.headers?.['x-test']),
          });
          return Promise.resolve();
        },
      });
      await producer.send({
        topic,
        messages: [
          { key: 'a', value: 'one', headers: { 'x-test': 'h1' } },
          { key: 'a', value: 'two', headers: { 'x-test': 'h2' } },
        ],
      });
      await waitFor(() => received.length === 2, 30_000);
      expect(received).toEqual([
        { key: 'a', value: 'one', header: 'h1' },
        { key: 'a', value: 'two', header: 'h2' },
      ]);
    } finally {
      await consumer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });
});
