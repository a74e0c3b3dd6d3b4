import type { BusInbox, BusSubscription, IncomingMessage, OutgoingMessage, VrpcBus } from '@vrpc/nestjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedNames, CuttableProxy, Recorder, RecordingBus, uniqueName, waitFor } from './conformance-support.js';
import { MemberProcess } from './member-process.js';

/** What the conformance suite needs to know about a bus plugin. */
export interface BusPlugin {
  /** Shown in test names. */
  name: string;
  /** A new bus, not yet connected. */
  create(): VrpcBus;
  /** Every member uses the one bus from `create()`-then-connect in `beforeAll` (in-process buses). */
  membersShareOneBus?: boolean;
  /** Partitions of the topics the tests create (default 4). */
  partitions?: number;
  /** Longest wait for something that goes through the broker, in ms (default 15 000). */
  waitMs?: number;
  /** Messages published before a group's first member subscribed are delivered to it (a log: Kafka, JetStream). */
  keepsMessagesBeforeFirstMember: boolean;
  /** Messages published while every member of a group is away wait for the group. */
  keepsMessagesWhileGroupAway: boolean;
  /**
   * Crash test: how a member in a child process makes its bus — `createBus` options, or the URL
   * of a module whose default export makes it — and how soon the broker redelivers.
   */
  crash?: { options?: object; module?: string; redeliveryWithinMs: number };
  /** Reconnect test: a bus that reaches the broker through a loopback proxy on `port`. */
  throughProxy?: { host: string; port: number; create(port: number): VrpcBus };
  /**
   * Messages of `topic` that `group` has not acknowledged yet (waiting or in flight), as the
   * broker sees it: proves acknowledgements reach the broker.
   */
  backlog?: (group: string, topic: string) => Promise<number>;
  /** Deletes what the tests created on a shared broker (streams, queues, topics, groups). */
  cleanup?(created: CreatedNames): Promise<void>;
}

const value = (text: string): Buffer => Buffer.from(text);

/** The bus conformance suite: every plugin must pass it. */
export function describeBusConformance(plugin: BusPlugin): void {
  const partitions = plugin.partitions ?? 4;
  const waitMs = plugin.waitMs ?? 15_000;

  describe(`bus conformance: ${plugin.name}`, () => {
    const buses: VrpcBus[] = [];
    const closables: Array<BusSubscription | BusInbox> = [];
    let main: VrpcBus;
    let barrierInbox: BusInbox;
    const barrierSeen = new Set<string>();

    const created: CreatedNames = { topics: new Set(), subscriptions: [] };

    async function connected(): Promise<VrpcBus> {
      if (plugin.membersShareOneBus && main) return main;
      const bus = new RecordingBus(plugin.create(), created);
      buses.push(bus);
      await bus.connect();
      return bus;
    }

    async function newTopic(count = partitions): Promise<string> {
      const topic = uniqueName('conf');
      await main.ensureTopics([{ topic, partitions: count }]);
      return topic;
    }

    function keep<T extends BusSubscription | BusInbox>(closable: T): T {
      closables.push(closable);
      return closable;
    }

    /** Waits until the broker holds nothing unacknowledged for the group (when the plugin can tell). */
    async function acknowledged(group: string, topic: string): Promise<void> {
      const backlog = plugin.backlog;
      if (!backlog) return;
      let left = -1;
      await waitFor(async () => (left = await backlog(group, topic)) === 0, waitMs).catch(() =>
        expect.fail(`the broker still holds ${left} unacknowledged message(s) of ${topic} for ${group}`),
      );
    }

    /** A round trip through the broker: whatever it was about to deliver has had its chance. */
    async function barrier(): Promise<void> {
      const id = uniqueName('barrier');
      const { topic, partition } = barrierInbox.address;
      await main.publish([{ topic, partition, value: value(id) }]);
      await waitFor(() => barrierSeen.has(id), waitMs);
    }

    beforeAll(async () => {
      main = await connected();
      const topic = await newTopic();
      barrierInbox = await main.openInbox(uniqueName('barrier-client'), topic, (message) => {
        barrierSeen.add(message.value.toString());
        return Promise.resolve();
      });
    });

    afterAll(async () => {
      await Promise.allSettled([...closables, barrierInbox].map((closable) => closable?.close()));
      await Promise.allSettled(buses.map((bus) => bus.close()));
      await plugin.cleanup?.(created);
    });

    describe('connect, health, close', () => {
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
    });

    describe('topic provisioning', () => {
      it('creates topics and leaves existing ones as they are when asked again', async () => {
        const topic = uniqueName('conf');
        const other = uniqueName('conf');
        await main.ensureTopics([{ topic, partitions }]);
        await main.ensureTopics([{ topic, partitions }, { topic: other, partitions: 1 }]);
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
    });

    describe('publish and subscribe', () => {
      it('delivers value bytes, key and headers as published', async () => {
        const topic = await newTopic();
        const recorder = new Recorder();
        keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 4 }, recorder.handler));
        const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        const headers = { 'vrpc-id': 'client-1/0', 'vrpc-method': 'Echo', 'x-empty': '', 'x-text': 'héllo ✓' };
        await main.publish([{ topic, key: 'key-1', value: bytes, headers }]);
        await main.publish([{ topic, value: value('without key') }]);
        await waitFor(() => recorder.received.length === 2, waitMs);
        // The two may sit on different partitions: find them by key, not by arrival order.
        const first = recorder.received.find((m) => m.key === 'key-1');
        const second = recorder.received.find((m) => m !== first);
        if (!first || !second) throw new Error(`expected one keyed and one keyless message, got ${recorder.received.length}`);
        expect(first.topic).toBe(topic);
        expect(first.key).toBe('key-1');
        expect(first.value.equals(bytes)).toBe(true);
        expect(first.headers).toEqual(headers);
        expect(first.offset).toMatch(/^\d+$/);
        expect(Number.isInteger(first.partition)).toBe(true);
        expect(second.key).toBeNull();
        expect(second.value.toString()).toBe('without key');
        expect(second.headers).toEqual({});
      });

      it('gives every group every message, and each message to one member of a group', async () => {
        const topic = await newTopic();
        const shared = uniqueName('g');
        const [a, b, solo] = [new Recorder(), new Recorder(), new Recorder()];
        const peer = await connected();
        keep(await main.subscribe({ topics: [topic], group: shared, concurrency: 8 }, a.handler));
        keep(await peer.subscribe({ topics: [topic], group: shared, concurrency: 8 }, b.handler));
        keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 8 }, solo.handler));
        const sent: string[] = [];
        const sharedSeen = () => new Set([...a.values(), ...b.values()]);
        // Kafka hands partitions to the second member only after a rebalance: send rounds until it has some.
        for (let round = 0; round < 20 && (a.received.length === 0 || b.received.length === 0); round++) {
          const batch = Array.from({ length: 20 }, (_, i) => `r${round}-m${i}`);
          sent.push(...batch);
          await main.publish(batch.map((text) => ({ topic, key: text, value: value(text) })));
          await waitFor(() => sharedSeen().size === sent.length && new Set(solo.values()).size === sent.length, waitMs);
        }
        expect(a.received.length).toBeGreaterThan(0);
        expect(b.received.length).toBeGreaterThan(0);
        expect(sharedSeen()).toEqual(new Set(sent));
        expect(new Set(solo.values())).toEqual(new Set(sent));
      });

      it('keeps the order of messages that share a key while other keys run concurrently', async () => {
        const topic = await newTopic();
        const keys = ['alpha', 'beta', 'gamma'];
        const perKey = 15;
        const seen = new Map<string, number[]>(keys.map((key) => [key, []]));
        const running = new Set<string>();
        const overlaps: string[] = [];
        let active = 0;
        let maxActive = 0;
        const handler = async (message: IncomingMessage) => {
          const key = message.key ?? '';
          if (running.has(key)) overlaps.push(key);
          running.add(key);
          active++;
          maxActive = Math.max(maxActive, active);
          const index = Number(message.value.toString().split(':')[1]);
          seen.get(key)?.push(index);
          // Uneven work, so that a bus that ignored keys would reorder them.
          await new Promise((resolve) => setTimeout(resolve, 1 + ((index * 7) % 5)));
          active--;
          running.delete(key);
        };
        keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 6, orderByKey: true }, handler));
        const messages: OutgoingMessage[] = [];
        for (let i = 0; i < perKey; i++) for (const key of keys) messages.push({ topic, key, value: value(`${key}:${i}`) });
        await main.publish(messages);
        await waitFor(() => [...seen.values()].every((list) => list.length === perKey), waitMs).catch(() =>
          expect.fail(`not all arrived: ${JSON.stringify(Object.fromEntries(seen))}, ${active} running`),
        );
        const expected = Array.from({ length: perKey }, (_, i) => i);
        for (const key of keys) expect(seen.get(key), key).toEqual(expected);
        expect(overlaps).toEqual([]);
        expect(maxActive).toBeGreaterThan(1);
      });

      it('never runs more handlers at once than the concurrency it was given', async () => {
        const topic = await newTopic();
        const recorder = new Recorder();
        recorder.hold();
        keep(await main.subscribe({ topics: [topic], group: uniqueName('g'), concurrency: 3 }, recorder.handler));
        const texts = Array.from({ length: 10 }, (_, i) => `c${i}`);
        await main.publish(texts.map((text) => ({ topic, key: text, value: value(text) })));
        await waitFor(() => recorder.active === 3, waitMs);
        await barrier();
        expect(recorder.received).toHaveLength(3);
        recorder.release();
        await waitFor(() => new Set(recorder.values()).size === texts.length, waitMs);
        expect(recorder.maxActive).toBe(3);
      });
    });

    describe('acknowledgement and redelivery', () => {
      it('redelivers what a member left unacknowledged to another member once it leaves', async () => {
        const topic = await newTopic();
        const group = uniqueName('g');
        const failing = new Recorder();
        failing.failing = true;
        const leaving = await main.subscribe({ topics: [topic], group, concurrency: 4 }, failing.handler);
        const texts = Array.from({ length: 5 }, (_, i) => `unacked-${i}`);
        await main.publish(texts.map((text) => ({ topic, key: text, value: value(text) })));
        await waitFor(() => new Set(failing.values()).size === texts.length, waitMs);
        const taker = new Recorder();
        const peer = await connected();
        keep(await peer.subscribe({ topics: [topic], group, concurrency: 4 }, taker.handler));
        await leaving.close();
        await waitFor(() => new Set(taker.values()).size === texts.length, waitMs * 2);
        expect(new Set(taker.values())).toEqual(new Set(texts));
        await acknowledged(group, topic);
      });

      it('waits on close for the handlers in flight, and acknowledges them', async () => {
        const topic = await newTopic(1);
        const group = uniqueName('g');
        const first = new Recorder();
        first.hold();
        const subscription = await main.subscribe({ topics: [topic], group, concurrency: 2 }, first.handler);
        await main.publish([{ topic, key: 'k', value: value('in flight') }]);
        await waitFor(() => first.active === 1, waitMs);
        let closed = false;
        const closing = subscription.close().then(() => (closed = true));
        await barrier();
        expect(closed).toBe(false);
        first.release();
        await closing;
        expect(first.active).toBe(0);
        await acknowledged(group, topic);
        const next = new Recorder();
        keep(await (await connected()).subscribe({ topics: [topic], group, concurrency: 2 }, next.handler));
        await main.publish([{ topic, key: 'k', value: value('after close') }]);
        await waitFor(() => next.values().includes('after close'), waitMs * 2);
        expect(next.values()).not.toContain('in flight');
      });

      it.runIf(plugin.keepsMessagesBeforeFirstMember)('delivers to a new group what was published before it subscribed', async () => {
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

      it.runIf(plugin.crash !== undefined)('redelivers to another member what a crashed member had taken', async () => {
        const crash = plugin.crash;
        if (!crash) return;
        const topic = await newTopic();
        const group = uniqueName('g');
        const member = new MemberProcess({ options: crash.options, module: crash.module, topic, group, concurrency: 4 });
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
      }, 120_000);
    });

    describe('inbox', () => {
      it('receives what is sent to its address, from the first message on', async () => {
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
    });

    describe.runIf(plugin.throughProxy !== undefined)('reconnect', () => {
      it('resumes subscriptions, inboxes and publishing after the connection drops', async () => {
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
          await waitFor(() => bus.publish([{ topic, value: value('from the reconnected bus') }]).then(() => true, () => false), 45_000).catch(() =>
            expect.fail('publishing did not resume'),
          );
          await waitFor(() => member.values().includes('from the reconnected bus'), waitMs);
          expect(proxy.connections).toBeGreaterThan(0);
        } finally {
          await bus.close();
          await proxy.stop();
        }
      }, 120_000);
    });
  });
}
