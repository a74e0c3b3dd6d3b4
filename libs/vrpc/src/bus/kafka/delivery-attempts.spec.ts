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
    expect(await first.deliveries('req', 0, '7')).toBe(1);
    // Another process takes the partition: the first one died on the message at offset 7.
    const second = group.member();
    await second.onAssignment({ req: [0] });
    expect(await second.deliveries('req', 0, '7')).toBe(2);
    expect(second.deliveries('req', 0, '8')).toBe(1);
    // A third process finds the count of both deliveries.
    const third = group.member();
    await third.onAssignment({ req: [0] });
    expect(await third.deliveries('req', 0, '7')).toBe(3);
  });

  it('does not count a rebalance in which this member kept the partition', async () => {
    const attempts = fakeGroup({ 0: '7', 1: '3' }).member();
    await attempts.onAssignment({ req: [0] });
    await attempts.onAssignment({ req: [0, 1] }, { req: [0] });
    await attempts.onAssignment({ req: [0, 1] }, { req: [0, 1] });
    expect(await attempts.deliveries('req', 0, '7')).toBe(1);
    expect(await attempts.deliveries('req', 1, '3')).toBe(1);
  });

  it('counts nothing for a partition taken over and over while its committed message is never handed out', async () => {
    const group = fakeGroup({ 0: '7' });
    // Five members take the idle partition one after another (a service rolled while idle).
    for (let i = 0; i < 5; i++) await group.member().onAssignment({ req: [0] });
    const next = group.member();
    await next.onAssignment({ req: [0] });
    // The request that then arrives at offset 7 is on its first delivery, not taken for poison.
    expect(await next.deliveries('req', 0, '7')).toBe(1);
  });

  it('counts one delivery per member however often that member hands the message out', async () => {
    const group = fakeGroup({ 0: '7' });
    const first = group.member();
    await first.onAssignment({ req: [0] });
    expect(await first.deliveries('req', 0, '7')).toBe(1);
    expect(await first.deliveries('req', 0, '7')).toBe(1);
    const second = group.member();
    await second.onAssignment({ req: [0] });
    expect(await second.deliveries('req', 0, '7')).toBe(2);
  });

  it('still hands the message out when the count cannot be committed, and says so', async () => {
    const failures: unknown[] = [];
    const port = {
      fetchCommitted: () => Promise.resolve([{ topic: 'req', partition: 0, offset: '7', metadata: 'vrpc-attempts:7:2' }]),
      earliest: () => Promise.resolve(new Map<number, string>()),
      commitWithMetadata: () => Promise.reject(new Error('coordinator moved')),
      watermarks: () => Promise.resolve(new Map<number, { low: string; high: string }>()),
    };
    const attempts = new DeliveryAttempts(port, (error) => failures.push(error));
    await attempts.onAssignment({ req: [0] });
    expect(await attempts.deliveries('req', 0, '7')).toBe(3);
    expect(failures).toHaveLength(1);
  });
});
