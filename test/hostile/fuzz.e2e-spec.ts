import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testBrokers } from '../support/kafka.js';
import { waitFor } from '../support/wait-for.js';
import { mutatedEnvelope, mutatedReply, SeededRandom } from './fuzz-mutations.js';
import { HostileScope } from './hostile-scope.js';

const MESSAGES = 3_000;
const PARTITIONS = 8;
/** What the server process may grow by over the run. */
const RSS_BOUND = 150 * 1024 * 1024;

describe('fuzzed request envelopes', () => {
  let hostile: HostileScope;
  // VRPC_FUZZ_SEED=<seed> replays a run.
  const seed = Number(process.env.VRPC_FUZZ_SEED ?? Date.now() % 2_147_483_647);

  // Each test has its own topics and server: a stall left by one must not fail the other.
  beforeEach(async () => {
    hostile = new HostileScope(testBrokers(), PARTITIONS, 4);
    await hostile.start();
  });

  afterEach(async () => {
    await hostile?.close();
  });

  it(`${MESSAGES} mutated envelopes: no crash, no stuck partition, RSS bounded`, async () => {
    const random = new SeededRandom(seed);
    for (let p = 0; p < PARTITIONS; p++) expect((await hostile.call({ text: `warm-${p}` }, 10_000, p)).reply).toBeDefined();
    const before = await hostile.server.rss();
    const started = Date.now();
    for (let sent = 0; sent < MESSAGES; sent += 100) {
      const messages = Array.from({ length: 100 }, () => ({
        partition: random.below(PARTITIONS),
        value: mutatedEnvelope(random, hostile.replyTopic),
      }));
      await hostile.attacker.send({ topic: hostile.requestTopic, messages });
    }
    const offsets = await hostile.admin.fetchTopicOffsets(hostile.requestTopic);
    const sentMs = Date.now() - started;
    // Every partition at once: a good call each, then the commit past everything written.
    const partitions = Array.from({ length: PARTITIONS }, (_, p) => p);
    const goods = await Promise.all(partitions.map((p) => hostile.call({ text: `after-${p}` }, 5_000, p)));
    const stuck = goods.flatMap((good, p) => (good.reply ? [] : [`partition ${p}: good call failed (code ${good.error?.code})`]));
    const commits = await Promise.all(offsets.map(({ partition, high }) => hostile.committedPast(partition, Number(high) - 1, 10_000)));
    offsets.forEach(({ partition, high }, i) => {
      if (commits[i] < Number(high)) stuck.push(`partition ${partition}: committed ${commits[i]} of ${high}`);
    });
    const after = await hostile.server.rss();
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `[hostile] fuzz seed ${seed}: ${MESSAGES} messages written in ${sentMs} ms, checked after ${Date.now() - started} ms; server RSS ${mb(before)} MB → ${mb(after)} MB; ` +
        `alive ${hostile.server.alive()}; ${stuck.length ? `stuck: ${stuck.join('; ')}` : 'no stuck partition'}`,
    );
    expect(hostile.server.alive()).toBe(true);
    expect(stuck).toEqual([]);
    expect(after - before).toBeLessThan(RSS_BOUND);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it("1,000 mutated replies on the client's reply partition: every call settles, the next ones complete", async () => {
    const random = new SeededRandom(seed + 1);
    const texts = Array.from({ length: 10 }, (_, i) => `pending-fuzz-${i}`);
    // Calls kept pending by a slow handler, so that mutated replies can carry their ids.
    const pending = texts.map((text) => hostile.call({ text, delayMs: 3_000 }, 20_000, undefined, { onResponseMetadata: () => undefined }));
    await waitFor(() => texts.every((text) => hostile.runs.find(text) !== undefined), 10_000);
    const ids = texts.map((text) => hostile.runs.find(text)?.id ?? '');
    for (let sent = 0; sent < 1_000; sent += 100) {
      const messages = Array.from({ length: 100 }, () => {
        const id = ids[random.below(ids.length)];
        return {
          partition: hostile.inbox,
          key: id,
          value: mutatedReply(random, id),
          headers: random.next() < 0.3 ? { 'vrpc-id': id } : undefined,
        };
      });
      await hostile.attacker.send({ topic: hostile.replyTopic, messages });
    }
    const settled = await Promise.all(pending);
    const after = await hostile.call({ text: 'after-reply-fuzz' }, 5_000);
    console.log(
      `[hostile] reply fuzz seed ${seed + 1}: pending calls settled in ${Math.max(...settled.map((s) => s.ms))} ms at most ` +
        `(${settled.filter((s) => s.error).length} with an error); next call ${after.reply ? `answered in ${after.ms} ms` : `failed (${after.error?.code})`}`,
    );
    expect(settled.every((s) => s.ms < 20_000)).toBe(true);
    expect(after.reply?.text).toBe('after-reply-fuzz');
    expect(hostile.client.pendingCount).toBe(0);
  }, 60_000);
});
