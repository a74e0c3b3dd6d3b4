import type { BusInbox, BusSubscription, VrpcBus } from '../../bus/bus.interface.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { type CreatedNames, RecordingBus, uniqueName, waitFor } from './conformance-support.js';
import type { BusPlugin } from './plugin.js';

/** The bytes of `text`, as a message value. */
export const value = (text: string): Buffer => Buffer.from(text);

/** What the conformance tests share: the plugin, the main bus and the helpers around it. */
export interface BusSuite {
  readonly plugin: BusPlugin;
  /** Partitions of the topics the tests create. */
  readonly partitions: number;
  /** Longest wait for something that goes through the broker, in ms. */
  readonly waitMs: number;
  /** What the tests created, for `plugin.cleanup`. */
  readonly created: CreatedNames;
  /** The bus the tests publish with: connected in `beforeAll`, so read it inside a test. */
  readonly main: VrpcBus;
  /** A connected bus for another member (the main one when members share one bus). */
  connected: () => Promise<VrpcBus>;
  /** A new topic with `count` partitions. */
  newTopic: (count?: number) => Promise<string>;
  /** Closes the subscription or inbox after the suite. */
  keep: <T extends BusSubscription | BusInbox>(closable: T) => T;
  /** Waits until the broker holds nothing unacknowledged for the group (when the plugin can tell). */
  acknowledged: (group: string, topic: string) => Promise<void>;
  /** A round trip through the broker: whatever it was about to deliver has had its chance. */
  barrier: () => Promise<void>;
}

/** Registers the suite's `beforeAll`/`afterAll` in the current describe and returns what its tests share. */
export function setUpBusSuite(plugin: BusPlugin): BusSuite {
  const partitions = plugin.partitions ?? 4;
  const waitMs = plugin.waitMs ?? 15_000;
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

  async function acknowledged(group: string, topic: string): Promise<void> {
    const backlog = plugin.backlog;
    if (!backlog) return;
    let left = -1;
    await waitFor(async () => (left = await backlog(group, topic)) === 0, waitMs).catch(() =>
      expect.fail(`the broker still holds ${left} unacknowledged message(s) of ${topic} for ${group}`),
    );
  }

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

  return {
    plugin,
    partitions,
    waitMs,
    created,
    get main() {
      return main;
    },
    connected,
    newTopic,
    keep,
    acknowledged,
    barrier,
  };
}
