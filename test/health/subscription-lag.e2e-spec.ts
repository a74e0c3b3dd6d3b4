import { KafkaBus, type BusSubscription, type VrpcBus } from '@vrpc/nestjs';
import { PlatformaticKafkaBus } from '@vrpc/nestjs/platformatic-kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { testBrokers, uniqueName, waitFor } from '../support/kafka.js';

const total = async (subscription: BusSubscription): Promise<number> => (await subscription.lag!()).reduce((sum, { lag }) => sum + lag, 0);

describe.each([
  ['kafkajs', (clientId: string): VrpcBus => new KafkaBus({ brokers: testBrokers(), clientId, sessionTimeoutMs: 6_000 })],
  ['@platformatic/kafka', (clientId: string): VrpcBus => new PlatformaticKafkaBus({ brokers: testBrokers(), clientId })],
])('subscription lag and state on the real broker (%s)', (_name, create) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('rises while the handlers are held and returns to 0 after release', async () => {
    const topic = uniqueName('lag');
    const bus = create(uniqueName('lag-client'));
    cleanups.push(() => bus.close());
    await bus.connect();
    await bus.ensureTopics([{ topic, partitions: 2 }]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const subscription = await bus.subscribe({ topics: [topic], group: uniqueName('lag-group'), concurrency: 1 }, async () => {
      started++;
      await gate;
    });
    cleanups.push(async () => {
      release();
      await subscription.close();
    });
    await bus.publish([0, 1, 2, 3, 4].map((n) => ({ topic, partition: n % 2, value: Buffer.from(String(n)), headers: {} })));
    await waitFor(() => started === 1, 30_000);
    // Nothing is committed while the one handler slot is held: every message counts.
    expect(await total(subscription)).toBe(5);
    expect(subscription.state!()).toMatchObject({ consuming: true, restarts: 0 });
    release();
    await waitFor(async () => (await total(subscription)) === 0, 30_000);
    expect(started).toBe(5);
  }, 60_000);
});
