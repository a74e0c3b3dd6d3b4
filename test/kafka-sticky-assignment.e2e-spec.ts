import { KafkaBus, type BusSubscription } from '@vrpc/nestjs';
import { AssignerProtocol } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { testBrokers, uniqueName, waitFor, withTestAdmin } from './support/kafka.js';

/** The group's protocol and each member's partitions of `topic` (by client id), once the group is stable. */
async function describeGroup(group: string, topic: string): Promise<{ protocol: string; partitions: Map<string, number[]> }> {
  const {
    groups: [described],
  } = await withTestAdmin((admin) => admin.describeGroups([group]));
  const partitions = new Map(
    described.state === 'Stable'
      ? described.members.map((member) => [
          member.clientId,
          [...(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? [])].sort((a, b) => a - b),
        ])
      : [],
  );
  return { protocol: described.protocol, partitions };
}

describe('Kafka bus: partitions stay with their members across rebalances', () => {
  const topic = uniqueName('sticky');
  const group = uniqueName('sticky-group');
  const buses: KafkaBus[] = [];
  const subscriptions: BusSubscription[] = [];

  afterAll(async () => {
    for (const subscription of subscriptions) await subscription.close();
    await Promise.all(buses.map((bus) => bus.close()));
  });

  /** Adds a member and waits until the group is stable with `members` members. */
  async function join(name: string, members: number): Promise<Map<string, number[]>> {
    const bus = new KafkaBus({ brokers: testBrokers(), clientId: name, sessionTimeoutMs: 6_000 });
    buses.push(bus);
    if (buses.length === 1) await bus.ensureTopics([{ topic, partitions: 6 }]);
    subscriptions.push(await bus.subscribe({ topics: [topic], group, concurrency: 4 }, () => Promise.resolve()));
    let seen = new Map<string, number[]>();
    await waitFor(async () => {
      const { protocol, partitions } = await describeGroup(group, topic);
      seen = partitions;
      return protocol === 'VrpcStickyAssigner' && partitions.size === members && [...partitions.values()].flat().length === 6;
    }, 30_000);
    return seen;
  }

  it('moves only the partitions a new member needs', async () => {
    const one = await join('member-a', 1);
    expect(one.get('member-a')).toEqual([0, 1, 2, 3, 4, 5]);

    const two = await join('member-b', 2);
    expect(two.get('member-a')).toHaveLength(3);
    expect(two.get('member-b')).toHaveLength(3);

    const three = await join('member-c', 3);
    for (const member of ['member-a', 'member-b']) {
      expect(three.get(member)).toHaveLength(2);
      for (const partition of three.get(member) ?? []) expect(two.get(member)).toContain(partition);
    }
    expect(three.get('member-c')).toHaveLength(2);
  }, 120_000);
});
