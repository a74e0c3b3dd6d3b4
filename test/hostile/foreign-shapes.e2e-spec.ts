import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { testBrokers } from '../support/kafka.js';
import { waitFor } from '../support/wait-for.js';
import { HostileScope, WHOLE_TOPIC_CLIENT } from './hostile-scope.js';
import { ReplyWatch } from './reply-watch.js';
import { echoPayload, goStyleRequest, reply } from './wire.js';

describe('producers and topologies of the original Go vRPC', () => {
  let hostile: HostileScope | undefined;
  let watch: ReplyWatch | undefined;

  afterEach(async () => {
    await watch?.stop();
    await hostile?.close();
    hostile = undefined;
    watch = undefined;
  });

  it('a Go-style request (fields 1-8, no headers, key = a timestamp) gets its reply on the reply topic, keyed by id; an expired one is not run', async () => {
    hostile = new HostileScope(testBrokers(), 2, 2);
    await hostile.start();
    watch = new ReplyWatch(hostile.kafka, hostile.replyTopic, `${hostile.scope}.watch`);
    await watch.start();
    const expired = `go-expired-${randomUUID()}`;
    const id = `go-${randomUUID()}`;
    const key = String(Date.now());
    // Same key, so the expired one is read first; its timestamp (ns) + timeout_ms lies a minute back.
    await hostile.attacker.send({
      topic: hostile.requestTopic,
      messages: [
        { key, value: goStyleRequest(expired, echoPayload('go expired'), 1_000, Date.now() - 60_000) },
        { key, value: goStyleRequest(id, echoPayload('go answered'), 30_000) },
      ],
    });
    const seen = await watch.reply(id, 5_000);
    expect(seen, 'no reply on the reply topic').toBeDefined();
    expect(seen?.statusCode).toBe(0);
    expect(seen?.key).toBe(id);
    await waitFor(() => hostile?.runs.count('go answered') === 1, 5_000);
    expect(hostile.runs.count('go expired')).toBe(0);
  }, 60_000);

  it('a client in whole-topic mode receives a reply produced on a partition that is not its own', async () => {
    hostile = new HostileScope(testBrokers(), 1, 4, WHOLE_TOPIC_CLIENT);
    await hostile.start();
    const text = `whole-topic-${randomUUID()}`;
    const started = Date.now();
    const call = hostile.call({ text, delayMs: 6_000 }, 15_000);
    await waitFor(() => hostile?.runs.find(text) !== undefined, 5_000);
    const run = hostile.runs.find(text);
    const elsewhere = ((run?.replyPartition ?? 0) + 1) % hostile.replyPartitions;
    // As the original's server replies: on its fixed response topic, any partition, keyed by id.
    await hostile.attacker.send({
      topic: hostile.replyTopic,
      messages: [{ partition: elsewhere, key: run?.id, value: reply(run?.id ?? '') }],
    });
    const outcome = await call;
    expect(outcome.error).toBeUndefined();
    expect(outcome.reply?.text).toBe('forged');
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 60_000);
});
