import type { Admin, Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DeliveryAttempts } from '../kafka-common/delivery-attempts.js';
import { kafkajsGroupOffsets } from './kafkajs-group-offsets.js';

/** A group's commits, as fetchOffsets reports and commitOffsets changes them (one topic, `req`). */
function fakeGroup(offsets: Record<number, string>) {
  const commits = new Map<number, { offset: string; metadata: string | null }>(
    Object.entries(offsets).map(([partition, offset]) => [Number(partition), { offset, metadata: null }]),
  );
  const admin = {
    fetchOffsets: ({ topics }: { topics: string[] }) =>
      Promise.resolve(
        topics.map((topic) => ({ topic, partitions: [...commits].map(([partition, commit]) => ({ partition, ...commit })) })),
      ),
    fetchTopicOffsets: () => Promise.resolve([]),
  } as unknown as Admin;
  const consumer = {
    commitOffsets: (bumps: { partition: number; offset: string; metadata: string }[]) => {
      for (const { partition, offset, metadata } of bumps) commits.set(partition, { offset, metadata });
      return Promise.resolve();
    },
  } as unknown as Consumer;
  /** A member process of the group. */
  return { member: () => new DeliveryAttempts(kafkajsGroupOffsets(admin, consumer, 'group')) };
}

describe('DeliveryAttempts', () => {
  it('counts a delivery each time a member takes a partition whose committed message did not move', async () => {
    const group = fakeGroup({ 0: '7' });
    const first = group.member();
    await first.onAssignment({ req: [0] });
    expect(first.deliveries('req', 0, '7')).toBe(1);
    // Another process takes the partition: the first one died on the message at offset 7.
    const second = group.member();
    await second.onAssignment({ req: [0] });
    expect(second.deliveries('req', 0, '7')).toBe(2);
    expect(second.deliveries('req', 0, '8')).toBe(1);
  });

  it('does not count a rebalance in which this member kept the partition', async () => {
    const attempts = fakeGroup({ 0: '7', 1: '3' }).member();
    await attempts.onAssignment({ req: [0] });
    await attempts.onAssignment({ req: [0, 1] }, { req: [0] });
    await attempts.onAssignment({ req: [0, 1] }, { req: [0, 1] });
    expect(attempts.deliveries('req', 0, '7')).toBe(1);
    expect(attempts.deliveries('req', 1, '3')).toBe(1);
  });
});
