import { expect, it } from 'vitest';
import { CuttableProxy, Recorder, RecordingBus, uniqueName, waitFor } from './conformance-support.js';
import { type BusSuite, value } from './suite.js';

/** Subscriptions, inboxes and publishing come back after a proxy between bus and broker cuts the connection. */
export function reconnectTests(suite: BusSuite): void {
  const { plugin, waitMs, created, keep, newTopic } = suite;

  it('resumes subscriptions, inboxes and publishing after the connection drops', async () => {
    const { main } = suite;
    const through = plugin.throughProxy;
    if (!through) return;
    const proxy = new CuttableProxy(through.host, through.port);
    await proxy.start();
    const bus = new RecordingBus(through.create(proxy.port), created);
    try {
      await bus.connect();
      const topic = await newTopic();
      const [member, replies] = [new Recorder(), new Recorder()];
      keep(await bus.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 4 }, member.handler));
      const inbox = keep(await bus.openInbox(uniqueName('client'), topic, replies.handler));
      await main.publish([
        { topic, value: value('before') },
        { ...inbox.address, value: value('reply before') },
      ]);
      await waitFor(() => member.values().includes('before') && replies.values().includes('reply before'), waitMs);
      proxy.cut();
      await main.publish([
        { topic, value: value('after') },
        { ...inbox.address, value: value('reply after') },
      ]);
      await waitFor(() => member.values().includes('after'), 45_000).catch(() => expect.fail('the subscription did not resume'));
      await waitFor(() => replies.values().includes('reply after'), 45_000).catch(() => expect.fail('the inbox did not resume'));
      await waitFor(
        () =>
          bus.publish([{ topic, value: value('from the reconnected bus') }]).then(
            () => true,
            () => false,
          ),
        45_000,
      ).catch(() => expect.fail('publishing did not resume'));
      await waitFor(() => member.values().includes('from the reconnected bus'), waitMs);
      expect(proxy.connections).toBeGreaterThan(0);
    } finally {
      await bus.close();
      await proxy.stop();
    }
  }, 120_000);
}
