import { expect, it } from 'vitest';
import { VrpcPublishError } from '../../errors/vrpc-publish.error.js';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { type BusSuite, value } from './suite.js';

/** Sizes a test sends through the broker; a bus with a bigger limit skips the size tests. */
const MAX_TESTED_LIMIT = 4 * 1024 * 1024;

/** Publish errors say whether they are final, one bad message fails alone, and `close()` waits a bounded time. */
export function boundedOutputTests(suite: BusSuite): void {
  const { waitMs, keep, newTopic } = suite;

  it('refuses a message over its maxMessageBytes with a final too-large VrpcPublishError', async (context) => {
    const { main } = suite;
    const limit = main.maxMessageBytes;
    if (limit === undefined || limit > MAX_TESTED_LIMIT) context.skip();
    const topic = await newTopic();
    const refused = main.publish([{ topic, key: 'big', value: Buffer.alloc((limit ?? 0) + 4_096) }]);
    await expect(refused).rejects.toBeInstanceOf(VrpcPublishError);
    await expect(refused).rejects.toMatchObject({ final: true, reason: 'too-large' });
  });

  it('fails only the faulty message of those published together', async (context) => {
    const { main } = suite;
    const limit = main.maxMessageBytes;
    if (limit === undefined || limit > MAX_TESTED_LIMIT) context.skip();
    const topic = await newTopic();
    const recorder = new Recorder();
    keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 4 }, recorder.handler));
    const outcomes = await Promise.allSettled([
      main.publish([{ topic, key: 'a', value: value('before') }]),
      main.publish([{ topic, key: 'b', value: Buffer.alloc((limit ?? 0) + 4_096) }]),
      main.publish([{ topic, key: 'c', value: value('beside') }]),
      main.publish([{ topic, key: 'd', value: value('after') }]),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    await waitFor(() => recorder.received.length >= 3, waitMs);
    expect(new Set(recorder.values())).toEqual(new Set(['before', 'beside', 'after']));
  });

  it('stops waiting on close at drainTimeoutMs, leaving the unfinished message unacknowledged', async () => {
    const { main } = suite;
    const topic = await newTopic(1);
    const group = uniqueName('g');
    const stuck = new Recorder();
    stuck.hold();
    const subscription = await main.subscribe({ topics: [topic], group, concurrency: 2, drainTimeoutMs: 500 }, stuck.handler);
    await main.publish([{ topic, key: 'k', value: value('never finishes') }]);
    await waitFor(() => stuck.received.length === 1, waitMs);
    // Another member is there to take it over once it is left unacknowledged.
    const taker = new Recorder();
    keep(await (await suite.connected()).subscribe({ topics: [topic], group, concurrency: 2 }, taker.handler));
    const started = Date.now();
    await subscription.close();
    expect(Date.now() - started).toBeLessThan(500 + 5_000);
    await waitFor(() => taker.values().includes('never finishes'), waitMs * 2);
    stuck.release();
  });

  it('closes at drainTimeoutMs even with every slot stuck and more messages waiting for one', async () => {
    const { main } = suite;
    const topic = await newTopic(1);
    const group = uniqueName('g');
    const stuck = new Recorder();
    stuck.hold();
    const subscription = await main.subscribe({ topics: [topic], group, concurrency: 1, drainTimeoutMs: 500 }, stuck.handler);
    await main.publish(['first', 'second', 'third'].map((text) => ({ topic, key: text, value: value(text) })));
    await waitFor(() => stuck.received.length === 1, waitMs);
    const started = Date.now();
    await subscription.close();
    expect(Date.now() - started).toBeLessThan(500 + 5_000);
    stuck.release();
  });
}
