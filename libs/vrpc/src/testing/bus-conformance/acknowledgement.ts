import { expect, it } from 'vitest';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { type BusSuite, value } from './suite.js';

/** What a member leaves unacknowledged goes to another; what it finishes on close is acknowledged. */
export function acknowledgementTests(suite: BusSuite): void {
  const { waitMs, connected, keep, newTopic, acknowledged, barrier } = suite;

  it('redelivers what a member left unacknowledged to another member once it leaves', async () => {
    const { main } = suite;
    const topic = await newTopic();
    const group = uniqueName('g');
    const failing = new Recorder();
    failing.failing = true;
    const leaving = await main.subscribe({ topics: [topic], group, concurrency: 4 }, failing.handler);
    const texts = Array.from({ length: 5 }, (_, i) => `unacked-${i}`);
    await main.publish(texts.map((text) => ({ topic, key: text, value: value(text) })));
    await waitFor(() => new Set(failing.values()).size === texts.length, waitMs);
    const taker = new Recorder();
    const peer = await connected();
    keep(await peer.subscribe({ topics: [topic], group, concurrency: 4 }, taker.handler));
    await leaving.close();
    await waitFor(() => new Set(taker.values()).size === texts.length, waitMs * 2);
    expect(new Set(taker.values())).toEqual(new Set(texts));
    await acknowledged(group, topic);
  });

  it('waits on close for the handlers in flight, and acknowledges them', async () => {
    const { main } = suite;
    const topic = await newTopic(1);
    const group = uniqueName('g');
    const first = new Recorder();
    first.hold();
    const subscription = await main.subscribe({ topics: [topic], group, concurrency: 2 }, first.handler);
    await main.publish([{ topic, key: 'k', value: value('in flight') }]);
    await waitFor(() => first.active === 1, waitMs);
    let closed = false;
    const closing = subscription.close().then(() => (closed = true));
    await barrier();
    expect(closed).toBe(false);
    first.release();
    await closing;
    expect(first.active).toBe(0);
    await acknowledged(group, topic);
    const next = new Recorder();
    keep(await (await connected()).subscribe({ topics: [topic], group, concurrency: 2 }, next.handler));
    await main.publish([{ topic, key: 'k', value: value('after close') }]);
    await waitFor(() => next.values().includes('after close'), waitMs * 2);
    expect(next.values()).not.toContain('in flight');
  });
}
