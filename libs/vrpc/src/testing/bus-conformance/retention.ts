import { expect, it } from 'vitest';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { type BusSuite, value } from './suite.js';

/** Messages wait for a group before its first member and while all its members are away (as the plugin declares). */
export function retentionTests(suite: BusSuite): void {
  const { plugin, waitMs, connected, keep, newTopic } = suite;

  it.runIf(plugin.keepsMessagesBeforeFirstMember)('delivers to a new group what was published before it subscribed', async () => {
    const { main } = suite;
    const topic = await newTopic();
    await main.publish([
      { topic, key: 'early', value: value('early-1') },
      { topic, key: 'early', value: value('early-2') },
    ]);
    const recorder = new Recorder();
    keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 2 }, recorder.handler));
    await waitFor(() => recorder.received.length === 2, waitMs);
    expect(recorder.values()).toEqual(['early-1', 'early-2']);
  });

  it.runIf(plugin.keepsMessagesWhileGroupAway)('keeps messages for a group while all its members are away', async () => {
    const { main } = suite;
    const topic = await newTopic();
    const group = uniqueName('g');
    const before = new Recorder();
    const member = await main.subscribe({ topics: [topic], group, concurrency: 2 }, before.handler);
    await main.publish([{ topic, key: 'away', value: value('while here') }]);
    await waitFor(() => before.received.length === 1, waitMs);
    await member.close();
    await main.publish([{ topic, key: 'away', value: value('while away') }]);
    const after = new Recorder();
    keep(await (await connected()).subscribe({ topics: [topic], group, concurrency: 2 }, after.handler));
    await waitFor(() => after.values().includes('while away'), waitMs * 2);
    expect(after.values()).toEqual(['while away']);
  });
}
