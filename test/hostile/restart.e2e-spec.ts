import { randomUUID } from 'node:crypto';
import { encodeRequest } from '@vrpc/nestjs/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { testBrokers } from '../support/kafka.js';
import { waitFor } from '../support/wait-for.js';
import { GARBAGE_BYTES, seededBytes } from './hostile-case.js';
import { HostileServer } from './hostile-process.js';
import { DRAIN_TIMEOUT_MS, HostileScope } from './hostile-scope.js';
import { echoPayload, request } from './wire.js';

/** The worst cases of the table: a reply that can never be published, a dead letter over the limit. */
function worstCase(text: string) {
  return [
    { value: seededBytes(GARBAGE_BYTES, 5) },
    {
      value: encodeRequest(
        request({
          payload: echoPayload(text),
          replyTo: `hostile.missing.${randomUUID()}`,
          replyPartition: 0,
          oneWay: false,
          deadline: Date.now() + 600_000,
        }),
      ),
    },
  ].map((message) => ({ ...message, partition: 0, key: 'worst' }));
}

describe('restart and SIGTERM after hostile input', () => {
  let hostile: HostileScope | undefined;

  afterEach(async () => {
    await hostile?.close();
    hostile = undefined;
  });

  it('a restart after the worst case re-runs no answered request', async () => {
    hostile = new HostileScope(testBrokers(), 2, 2);
    await hostile.start();
    // Deadlines far out, so that a new process would still run what it reads again.
    const texts = Array.from({ length: 20 }, (_, i) => `answered-${i}`);
    for (const text of texts.slice(0, 10)) expect((await hostile.call({ text }, 120_000, 0)).reply?.text).toBe(text);
    // One batch each: the garbage alone nearly fills the broker's limit.
    for (const message of worstCase('unanswerable')) await hostile.attacker.send({ topic: hostile.requestTopic, messages: [message] });
    for (const text of texts.slice(10)) expect((await hostile.call({ text }, 120_000, 0)).reply?.text).toBe(text);

    const committedBefore = await hostile.committed(0);
    const stopMs = await hostile.server.stop('SIGTERM', DRAIN_TIMEOUT_MS + 5_000);
    hostile.server = await HostileServer.start(hostile.options, hostile.runs);
    // The new process has read partition 0 once a call there is answered by it.
    const after = await hostile.call({ text: 'after-restart' }, 20_000, 0);
    expect(after.reply?.servedBy).toBe(`pid-${hostile.server.pid}`);
    const { high } = (await hostile.admin.fetchTopicOffsets(hostile.requestTopic)).find((p) => p.partition === 0) ?? { high: '0' };
    await hostile.committedPast(0, Number(high) - 1, 5_000);

    const rerun = texts.filter((text) => hostile?.runs.count(text) !== 1);
    console.log(
      `[hostile] restart: committed ${committedBefore} of ${high} before SIGTERM, which took ${stopMs} ms; ` +
        `the unanswerable request ran ${hostile.runs.count('unanswerable')} time(s); answered requests run again by the new process: ${rerun.length ? rerun.join(', ') : 'none'}`,
    );
    expect(rerun).toEqual([]);
  }, 120_000);

  it.each([
    ['a reply that cannot be published (reply_to a missing topic, deadline 10 min out)', 'missing-topic'],
    ['a handler that never ends', 'endless'],
  ])(
    'SIGTERM while %s: the process exits within the drain timeout + 2 s',
    async (_, kind) => {
      hostile = new HostileScope(testBrokers(), 1, 1);
      await hostile.start();
      const text = `sigterm-${kind}`;
      const envelope =
        kind === 'endless'
          ? request({
              payload: echoPayload(text, 600_000),
              replyTo: hostile.replyTopic,
              replyPartition: 0,
              oneWay: false,
              deadline: Date.now() + 600_000,
            })
          : request({
              payload: echoPayload(text),
              replyTo: `hostile.missing.${randomUUID()}`,
              replyPartition: 0,
              oneWay: false,
              deadline: Date.now() + 600_000,
            });
      await hostile.attacker.send({ topic: hostile.requestTopic, messages: [{ partition: 0, value: encodeRequest(envelope) }] });
      await waitFor(() => hostile?.runs.find(text) !== undefined, 10_000);
      const stopMs = await hostile.server.stop('SIGTERM', DRAIN_TIMEOUT_MS + 5_000);
      console.log(`[hostile] SIGTERM with ${kind}: exited after ${stopMs} ms (bound ${DRAIN_TIMEOUT_MS + 2_000} ms)`);
      expect(stopMs).toBeLessThan(DRAIN_TIMEOUT_MS + 2_000);
    },
    90_000,
  );
});
