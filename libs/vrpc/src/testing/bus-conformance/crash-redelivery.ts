import { expect, it } from 'vitest';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { MemberProcess } from './member-process.js';
import { type BusSuite, value } from './suite.js';

/** What a member killed in a child process had taken reaches another member (when the plugin gives a crash setup). */
export function crashRedeliveryTests(suite: BusSuite): void {
  const { plugin, waitMs, keep, newTopic } = suite;

  it.runIf(plugin.crash !== undefined)(
    'redelivers to another member what a crashed member had taken',
    async () => {
      const { main } = suite;
      const crash = plugin.crash;
      if (!crash) return;
      const topic = await newTopic();
      const group = uniqueName('g');
      const member = new MemberProcess({ options: crash.options, module: crash.module, topic, group, concurrency: 4 }, crash.nodeArgs);
      try {
        await waitFor(() => member.isReady || !member.isAlive, 60_000);
        expect(member.isReady, member.errors()).toBe(true);
        const texts = Array.from({ length: 3 }, (_, i) => `taken-${i}`);
        await main.publish(texts.map((text) => ({ topic, key: text, value: value(text) })));
        await waitFor(() => new Set(member.took).size === texts.length, waitMs);
        await member.crash();
        const survivor = new Recorder();
        keep(await main.subscribe({ topics: [topic], group, concurrency: 4 }, survivor.handler));
        await waitFor(() => new Set(survivor.values()).size === texts.length, crash.redeliveryWithinMs);
        expect(new Set(survivor.values())).toEqual(new Set(texts));
      } finally {
        await member.crash();
      }
    },
    120_000,
  );
}
