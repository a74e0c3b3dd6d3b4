import { expect, it } from 'vitest';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { type BusSuite, value } from './suite.js';

/** Connect and close are idempotent, and health follows them. */
export function connectionTests({ plugin }: BusSuite): void {
  it('connects idempotently, reports health, and closes idempotently', async () => {
    const bus = plugin.create();
    await Promise.all([bus.connect(), bus.connect()]);
    await bus.connect();
    const healthy = await bus.health();
    expect(healthy.healthy).toBe(true);
    await bus.close();
    await bus.close();
    expect((await bus.health()).healthy).toBe(false);
  });
}

/** `ensureTopics` creates what is missing and leaves what exists. */
export function provisioningTests(suite: BusSuite): void {
  const { partitions, waitMs, connected, keep } = suite;

  it('creates topics and leaves existing ones as they are when asked again', async () => {
    const { main } = suite;
    const topic = uniqueName('conf');
    const other = uniqueName('conf');
    await main.ensureTopics([{ topic, partitions }]);
    await main.ensureTopics([
      { topic, partitions },
      { topic: other, partitions: 1 },
    ]);
    const peer = await connected();
    await peer.ensureTopics([{ topic, partitions: partitions + 2 }]);
    const recorder = new Recorder();
    keep(await main.subscribe({ topics: [topic, other], group: uniqueName('g'), concurrency: 4 }, recorder.handler));
    await main.publish([
      { topic, value: value('on the first topic') },
      { topic: other, value: value('on the second topic') },
    ]);
    await waitFor(() => recorder.received.length === 2, waitMs);
    expect(recorder.received.map((m) => m.topic).sort()).toEqual([topic, other].sort());
  });
}
