import { describe, expect, it } from 'vitest';
import { stickyPlan, type PartitionsByTopic } from './sticky-plan.js';

const SIX = { req: [0, 1, 2, 3, 4, 5] };
const count = (assignment: PartitionsByTopic | undefined) => Object.values(assignment ?? {}).flat().length;
const owners = (plan: Map<string, PartitionsByTopic>) =>
  [...plan].flatMap(([member, assignment]) =>
    Object.entries(assignment).flatMap(([topic, ids]) => ids.map((id) => `${topic}/${id}:${member}`)),
  );

describe('stickyPlan', () => {
  it('shares the partitions evenly among new members, each partition once', () => {
    const plan = stickyPlan(['a', 'b', 'c', 'd'], SIX, new Map());
    expect([...plan.values()].map(count).sort()).toEqual([1, 1, 2, 2]);
    expect(new Set(owners(plan).map((entry) => entry.split(':')[0])).size).toBe(6);
  });

  it('moves only what a joining member needs and leaves the rest where it was', () => {
    const previous = new Map([
      ['a', { req: [0, 1, 2] }],
      ['b', { req: [3, 4, 5] }],
    ]);
    const plan = stickyPlan(['a', 'b', 'c'], SIX, previous);
    expect([...plan.values()].map(count)).toEqual([2, 2, 2]);
    for (const [member, held] of previous) for (const id of plan.get(member)!.req) expect(held.req).toContain(id);
  });

  it('hands a leaving member partitions to the others and keeps theirs in place', () => {
    const previous = new Map([
      ['a', { req: [0, 1] }],
      ['b', { req: [2, 3] }],
      ['c', { req: [4, 5] }],
    ]);
    const plan = stickyPlan(['a', 'c'], SIX, previous);
    expect(plan.get('a')!.req).toEqual(expect.arrayContaining([0, 1]));
    expect(plan.get('c')!.req).toEqual(expect.arrayContaining([4, 5]));
    expect(count(plan.get('a')) + count(plan.get('c'))).toBe(6);
  });

  it('gives a partition two members claim to only one, and ignores partitions that no longer exist', () => {
    const previous = new Map<string, PartitionsByTopic>([
      ['a', { req: [0, 1, 9], gone: [0] }],
      ['b', { req: [1, 2] }],
    ]);
    const plan = stickyPlan(['a', 'b'], { req: [0, 1, 2, 3] }, previous);
    expect(owners(plan).sort()).toEqual(['req/0:a', 'req/1:a', 'req/2:b', 'req/3:b']);
  });

  it('computes the same plan whatever order the members come in', () => {
    const previous = new Map([['b', { req: [5, 0] }]]);
    expect(stickyPlan(['c', 'a', 'b'], SIX, previous)).toEqual(stickyPlan(['a', 'b', 'c'], SIX, previous));
  });
});
