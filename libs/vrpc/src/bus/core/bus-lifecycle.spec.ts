import { describe, expect, it } from 'vitest';
import { BusLifecycle } from './bus-lifecycle.js';

/** A lifecycle over a fake client that records what happens to it. */
function fake(failures = 0) {
  const events: string[] = [];
  let opens = 0;
  const lifecycle = new BusLifecycle<{ id: number }>(
    () => {
      opens++;
      events.push(`open ${opens}`);
      return opens <= failures ? Promise.reject(new Error(`refused ${opens}`)) : Promise.resolve({ id: opens });
    },
    (client) => {
      events.push(`disconnect ${client.id}`);
      return Promise.resolve();
    },
  );
  const closable = (name: string) => ({
    closes: 0,
    close() {
      this.closes++;
      events.push(`close ${name}`);
      return Promise.resolve();
    },
  });
  return { lifecycle, events, closable, opens: () => opens };
}

describe('BusLifecycle', () => {
  it('connects on first use only, once for callers that wait together', async () => {
    const { lifecycle, opens } = fake();
    expect(lifecycle.current()).toBeUndefined();
    expect(opens()).toBe(0);
    const [first, second] = await Promise.all([lifecycle.client(), lifecycle.client()]);
    expect(first).toBe(second);
    expect(await lifecycle.client()).toBe(first);
    expect(opens()).toBe(1);
  });

  it('tries again after a failed attempt', async () => {
    const { lifecycle, opens } = fake(1);
    await expect(lifecycle.client()).rejects.toThrow('refused 1');
    expect(await lifecycle.client()).toEqual({ id: 2 });
    expect(opens()).toBe(2);
  });

  it('closes what is open, then the client, and only once when asked twice at once', async () => {
    const { lifecycle, events, closable } = fake();
    await lifecycle.client();
    const subscription = closable('subscription');
    const inbox = { ...closable('inbox'), address: { topic: 'replies', partition: 3 } };
    lifecycle.subscription(subscription);
    const tracked = lifecycle.inbox(inbox);
    expect(tracked.address).toEqual({ topic: 'replies', partition: 3 });
    await Promise.all([lifecycle.close(), lifecycle.close()]);
    expect(events).toEqual(['open 1', 'close subscription', 'close inbox', 'disconnect 1']);
    expect(subscription.closes).toBe(1);
    await lifecycle.close();
    expect(events).toHaveLength(4);
  });

  it('forgets a subscription or inbox closed before the bus', async () => {
    const { lifecycle, events, closable } = fake();
    await lifecycle.client();
    const subscription = closable('subscription');
    const inbox = { ...closable('inbox'), address: { topic: 'replies' } };
    await lifecycle.subscription(subscription).close();
    await lifecycle.inbox(inbox).close();
    await lifecycle.close();
    expect(subscription.closes).toBe(1);
    expect(inbox.closes).toBe(1);
    expect(events).toEqual(['open 1', 'close subscription', 'close inbox', 'disconnect 1']);
  });

  it('closes no client it never opened, and connects again after a close', async () => {
    const { lifecycle, events } = fake();
    await lifecycle.close();
    expect(events).toEqual([]);
    await lifecycle.client();
    await lifecycle.close();
    expect(await lifecycle.client()).toEqual({ id: 2 });
    expect(events).toEqual(['open 1', 'disconnect 1', 'open 2']);
  });
});
