import { describe, expect, it } from 'vitest';
import type { BusHealth, BusSubscription, VrpcBus } from '../bus/bus.interface.js';
import { MemoryBus } from '../bus/memory/memory.bus.js';
import { servingHealth } from './serving-health.js';

const never = new Promise<never>(() => undefined);
const busAnswering = (health: Promise<BusHealth>): VrpcBus => ({ health: () => health }) as unknown as VrpcBus;
const subscription = (part: Partial<BusSubscription>): BusSubscription => ({ close: () => Promise.resolve(), ...part });
const up = busAnswering(Promise.resolve({ healthy: true }));

describe('servingHealth', () => {
  it('is healthy when the bus answers and every subscription consumes under the lag limit', async () => {
    const sub = subscription({
      state: () => ({ consuming: true, restarts: 1 }),
      lag: () => Promise.resolve([{ topic: 't', partition: 0, lag: 3 }]),
    });
    const report = await servingHealth(up, [{ topics: ['t'], group: 'g', subscription: sub }], { maxLag: 3 });
    expect(report).toEqual({
      healthy: true,
      bus: { healthy: true },
      reasons: [],
      subscriptions: [{ topics: ['t'], group: 'g', consuming: true, restarts: 1, lag: [{ topic: 't', partition: 0, lag: 3 }] }],
    });
  });

  it('is down when a partition lags over maxLag, with the lag in the report', async () => {
    const sub = subscription({ lag: () => Promise.resolve([{ topic: 't', partition: 2, lag: 4 }]) });
    const report = await servingHealth(up, [{ topics: ['t'], group: 'g', subscription: sub }], { maxLag: 3 });
    expect(report.healthy).toBe(false);
    expect(report.reasons).toEqual(['t[2] lag 4 is over 3']);
    expect(report.subscriptions[0].lag[0].lag).toBe(4);
  });

  it('has no lag limit by default', async () => {
    const sub = subscription({ lag: () => Promise.resolve([{ topic: 't', partition: 0, lag: 1e9 }]) });
    expect((await servingHealth(up, [{ topics: ['t'], group: 'g', subscription: sub }])).healthy).toBe(true);
  });

  it('is down when a subscription is not consuming', async () => {
    const sub = subscription({ state: () => ({ consuming: false, restarts: 2, lastError: 'crashed' }) });
    const report = await servingHealth(up, [{ topics: ['t'], group: 'g', subscription: sub }]);
    expect(report.healthy).toBe(false);
    expect(report.reasons).toEqual(['t (group g) is not consuming']);
    expect(report.subscriptions[0]).toMatchObject({ restarts: 2, lastError: 'crashed' });
  });

  it('answers within timeoutMs when the bus and the lag queries hang', async () => {
    const sub = subscription({ lag: () => never });
    const started = Date.now();
    const report = await servingHealth(busAnswering(never), [{ topics: ['t'], group: 'g', subscription: sub }], { timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.healthy).toBe(false);
    expect(report.reasons).toEqual(['the bus is unreachable', 'the lag of t did not answer within 50 ms']);
    expect(report.bus.healthy).toBe(false);
  });

  it('reports a bus that says it is down', async () => {
    const report = await servingHealth(busAnswering(Promise.resolve({ healthy: false })), []);
    expect(report.reasons).toEqual(['the bus is unreachable']);
  });
});

describe('memory bus lag and state', () => {
  it('counts messages not yet acknowledged, back to 0 after the handlers finish, and stops consuming at close', async () => {
    const bus = new MemoryBus(2);
    await bus.connect();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const sub = await bus.subscribe({ topics: ['t'], group: 'g', concurrency: 1 }, async () => {
      started++;
      await gate;
    });
    await bus.publish([0, 1, 2].map(() => ({ topic: 't', partition: 0, value: Buffer.from('x'), headers: {} })));
    await expect.poll(() => started).toBe(1);
    expect(await sub.lag?.()).toEqual([{ topic: 't', partition: 0, lag: 3 }]);
    expect(sub.state?.()).toEqual({ consuming: true, restarts: 0 });
    release();
    await expect.poll(() => sub.lag?.()).toEqual([]);
    await sub.close();
    expect(sub.state?.().consuming).toBe(false);
    await bus.close();
  });
});
