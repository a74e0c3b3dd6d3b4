import type { IncomingMessage, OutgoingMessage } from '../../bus/bus.interface.js';
import { expect, it } from 'vitest';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { type BusSuite, value } from './suite.js';

/** Per-key order holds under concurrency, and the concurrency limit holds back the rest. */
export function orderingConcurrencyTests(suite: BusSuite): void {
  const { waitMs, keep, newTopic, barrier } = suite;

  it('keeps the order of messages that share a key while other keys run concurrently', async () => {
    const { main } = suite;
    const topic = await newTopic();
    const keys = ['alpha', 'beta', 'gamma'];
    const perKey = 15;
    const seen = new Map<string, number[]>(keys.map((key) => [key, []]));
    const running = new Set<string>();
    const overlaps: string[] = [];
    let active = 0;
    let maxActive = 0;
    const handler = async (message: IncomingMessage) => {
      const key = message.key ?? '';
      if (running.has(key)) overlaps.push(key);
      running.add(key);
      active++;
      maxActive = Math.max(maxActive, active);
      const index = Number(message.value.toString().split(':')[1]);
      seen.get(key)?.push(index);
      // Uneven work, so that a bus that ignored keys would reorder them.
      await new Promise((resolve) => setTimeout(resolve, 1 + ((index * 7) % 5)));
      active--;
      running.delete(key);
    };
    keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 6, orderByKey: true }, handler));
    const messages: OutgoingMessage[] = [];
    for (let i = 0; i < perKey; i++) for (const key of keys) messages.push({ topic, key, value: value(`${key}:${i}`) });
    await main.publish(messages);
    await waitFor(() => [...seen.values()].every((list) => list.length === perKey), waitMs).catch(() =>
      expect.fail(`not all arrived: ${JSON.stringify(Object.fromEntries(seen))}, ${active} running`),
    );
    const expected = Array.from({ length: perKey }, (_, i) => i);
    for (const key of keys) expect(seen.get(key), key).toEqual(expected);
    expect(overlaps).toEqual([]);
    expect(maxActive).toBeGreaterThan(1);
  });

  it('never runs more handlers at once than the concurrency it was given', async () => {
    const { main } = suite;
    const topic = await newTopic();
    const recorder = new Recorder();
    recorder.hold();
    keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 3 }, recorder.handler));
    const texts = Array.from({ length: 10 }, (_, i) => `c${i}`);
    await main.publish(texts.map((text) => ({ topic, key: text, value: value(text) })));
    await waitFor(() => recorder.active === 3, waitMs);
    await barrier();
    expect(recorder.received).toHaveLength(3);
    recorder.release();
    await waitFor(() => new Set(recorder.values()).size === texts.length, waitMs);
    expect(recorder.maxActive).toBe(3);
  });
}
