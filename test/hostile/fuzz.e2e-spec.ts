import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBrokers } from '../support/kafka.js';
import { mutatedEnvelope, SeededRandom } from './fuzz-mutations.js';
import { HostileScope } from './hostile-scope.js';

const MESSAGES = 3_000;
const PARTITIONS = 8;
/** What the server process may grow by over the run. */
const RSS_BOUND = 150 * 1024 * 1024;

describe('fuzzed request envelopes', () => {
  let hostile: HostileScope;
  // VRPC_FUZZ_SEED=<seed> replays a run.
  const seed = Number(process.env.VRPC_FUZZ_SEED ?? Date.now() % 2_147_483_647);

  beforeAll(async () => {
    hostile = new HostileScope(testBrokers(), PARTITIONS, 4);
    await hostile.start();
  });

  afterAll(async () => {
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
});
