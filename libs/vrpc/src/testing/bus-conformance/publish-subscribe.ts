import { expect, it } from 'vitest';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { type BusSuite, value } from './suite.js';

/** A message arrives as published, every group gets it, and one member of each group takes it. */
export function publishSubscribeTests(suite: BusSuite): void {
  const { waitMs, connected, keep, newTopic } = suite;

  it('delivers value bytes, key and headers as published', async () => {
    const { main } = suite;
    const topic = await newTopic();
    const recorder = new Recorder();
    keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 4 }, recorder.handler));
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const headers = { 'vrpc-id': 'client-1/0', 'vrpc-method': 'Echo', 'x-empty': '', 'x-text': 'héllo ✓' };
    await main.publish([{ topic, key: 'key-1', value: bytes, headers }]);
    await main.publish([{ topic, value: value('without key') }]);
    await waitFor(() => recorder.received.length === 2, waitMs);
    // The two may sit on different partitions: find them by key, not by arrival order.
    const first = recorder.received.find((m) => m.key === 'key-1');
    const second = recorder.received.find((m) => m !== first);
    if (!first || !second) throw new Error(`expected one keyed and one keyless message, got ${recorder.received.length}`);
    expect(first.topic).toBe(topic);
    expect(first.key).toBe('key-1');
    expect(first.value.equals(bytes)).toBe(true);
    expect(first.headers).toEqual(headers);
    expect(first.offset).toMatch(/^\d+$/);
    expect(Number.isInteger(first.partition)).toBe(true);
    expect(second.key).toBeNull();
    expect(second.value.toString()).toBe('without key');
    expect(second.headers).toEqual({});
  });

  it('gives every group every message, and each message to one member of a group', async () => {
    const { main } = suite;
    const topic = await newTopic();
    const shared = uniqueName('g');
    const [a, b, solo] = [new Recorder(), new Recorder(), new Recorder()];
    const peer = await connected();
    keep(await main.subscribe({ topics: [topic], group: shared, concurrency: 8 }, a.handler));
    keep(await peer.subscribe({ topics: [topic], group: shared, concurrency: 8 }, b.handler));
    keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 8 }, solo.handler));
    const sent: string[] = [];
    const sharedSeen = () => new Set([...a.values(), ...b.values()]);
    // Kafka hands partitions to the second member only after a rebalance: send rounds until it has some.
    for (let round = 0; round < 20 && (a.received.length === 0 || b.received.length === 0); round++) {
      const batch = Array.from({ length: 20 }, (_, i) => `r${round}-m${i}`);
      sent.push(...batch);
      await main.publish(batch.map((text) => ({ topic, key: text, value: value(text) })));
      await waitFor(() => sharedSeen().size === sent.length && new Set(solo.values()).size === sent.length, waitMs);
    }
    expect(a.received.length).toBeGreaterThan(0);
    expect(b.received.length).toBeGreaterThan(0);
    expect(sharedSeen()).toEqual(new Set(sent));
    expect(new Set(solo.values())).toEqual(new Set(sent));
  });
}
