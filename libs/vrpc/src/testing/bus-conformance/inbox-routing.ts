import type { BusInbox } from '../../bus/bus.interface.js';
import { expect, it } from 'vitest';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { type BusSuite, value } from './suite.js';

/** An inbox gets what is sent to its address, from the first message on, and nothing sent to another. */
export function inboxRoutingTests(suite: BusSuite): void {
  const { waitMs, connected, keep, newTopic } = suite;

  it('receives what is sent to its address, from the first message on', async () => {
    const { main } = suite;
    const topic = await newTopic();
    const recorder = new Recorder();
    const inbox = keep(await main.openInbox(uniqueName('client'), topic, recorder.handler));
    expect(inbox.address.topic).not.toBe('');
    const { topic: to, partition } = inbox.address;
    await main.publish([{ topic: to, partition, key: 'r-1', value: value('first reply'), headers: { 'vrpc-id': 'c/1' } }]);
    await waitFor(() => recorder.received.length === 1, waitMs);
    expect(recorder.received[0].value.toString()).toBe('first reply');
    expect(recorder.received[0].headers).toEqual({ 'vrpc-id': 'c/1' });
  });

  it('does not receive what is sent to another inbox', async () => {
    const { main } = suite;
    const topic = await newTopic();
    const [mine, theirs] = [new Recorder(), new Recorder()];
    const inbox = keep(await main.openInbox(uniqueName('client'), topic, mine.handler));
    const peer = await connected();
    let other: BusInbox | undefined;
    // Buses that hash ids onto few partitions may put two ids on one: pick one elsewhere.
    for (let attempt = 0; attempt < 16 && !other; attempt++) {
      const candidate = await peer.openInbox(uniqueName('client'), topic, theirs.handler);
      const same = candidate.address.topic === inbox.address.topic && candidate.address.partition === inbox.address.partition;
      if (same) await candidate.close();
      else other = keep(candidate);
    }
    expect(other).toBeDefined();
    await main.publish([
      { ...inbox.address, value: value('for me') },
      { ...(other?.address ?? inbox.address), value: value('for them') },
    ]);
    await waitFor(() => mine.values().includes('for me') && theirs.values().includes('for them'), waitMs);
    expect(theirs.values()).not.toContain('for me');
    expect(mine.values()).not.toContain('for them');
  });
}
