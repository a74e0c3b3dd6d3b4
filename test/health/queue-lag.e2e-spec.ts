import { createBus, type BusSubscription } from '@vrpc/nestjs';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueName, waitFor } from '../support/kafka.js';

const total = async (subscription: BusSubscription): Promise<number> => (await subscription.lag!()).reduce((sum, { lag }) => sum + lag, 0);

const servers = process.env.VRPC_NATS_SERVERS ?? '127.0.0.1:4222';
const url = process.env.VRPC_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

// While one message is held: NATS counts it (ack pending) and the 4 waiting; RabbitMQ only the 4 ready.
describe.each([
  ['NATS JetStream', () => createBus({ type: 'nats', servers, ackWaitMs: 30_000, fetchExpiresMs: 1_000 }), 5],
  ['RabbitMQ', () => createBus({ type: 'rabbitmq', url }), 4],
])('subscription lag on the running server (%s)', (_name, create, held) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('counts the messages waiting while the handler is held, 0 after release', async () => {
    const topic = uniqueName('qlag');
    const bus = create();
    cleanups.push(() => bus.close());
    await bus.connect();
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const subscription = await bus.subscribe({ topics: [topic], group: uniqueName('qlag-group'), concurrency: 1 }, async () => {
      started++;
      await gate;
    });
    cleanups.push(async () => {
      release();
      await subscription.close();
    });
    await bus.publish([0, 1, 2, 3, 4].map((n) => ({ topic, value: Buffer.from(String(n)), headers: {} })));
    await waitFor(() => started === 1, 20_000);
    let seen = -1;
    await waitFor(async () => (seen = await total(subscription)) === held, 10_000).catch(() => expect(seen).toBe(held));
    expect(subscription.state!().consuming).toBe(true);
    release();
    await waitFor(async () => started === 5 && (await total(subscription)) === 0, 20_000);
  }, 60_000);
});
