/** Partitions by topic, as kafkajs assignments list them. */
export type PartitionsByTopic = Record<string, number[]>;

/**
 * Shares `partitions` among `members` as evenly as round robin would, but lets each member keep
 * what it held before (`previous`, as each member reported it) up to its share. A rebalance
 * then moves only the partitions that must move, and a member that gets its partitions back
 * recognises the requests it is still running instead of another member running them again.
 * Deterministic: every member computes the same plan from the same input.
 */
export function stickyPlan(
  memberIds: string[],
  partitions: PartitionsByTopic,
  previous: ReadonlyMap<string, PartitionsByTopic>,
): Map<string, PartitionsByTopic> {
  const all = Object.entries(partitions).flatMap(([topic, ids]) => ids.map((partition) => `${topic}\u0000${partition}`));
  const exists = new Set(all);
  const held = (member: string) =>
    Object.entries(previous.get(member) ?? {})
      .flatMap(([topic, ids]) => ids.map((partition) => `${topic}\u0000${partition}`))
      .filter((key) => exists.has(key));
  // Members that held more keep more: they take the larger shares when the count does not divide.
  const members = [...memberIds].sort((a, b) => held(b).length - held(a).length || a.localeCompare(b));
  const base = Math.floor(all.length / Math.max(1, members.length));
  const quota = new Map(members.map((member, i) => [member, base + (i < all.length % members.length ? 1 : 0)]));
  const taken = new Set<string>();
  const plan = new Map<string, string[]>(members.map((member) => [member, []]));
  for (const member of members) {
    for (const key of held(member)) {
      if (plan.get(member)!.length >= quota.get(member)! || taken.has(key)) continue;
      taken.add(key);
      plan.get(member)!.push(key);
    }
  }
  const free = all.filter((key) => !taken.has(key));
  for (const member of members) {
    while (plan.get(member)!.length < quota.get(member)! && free.length > 0) plan.get(member)!.push(free.shift()!);
  }
  return new Map([...plan].map(([member, keys]) => [member, byTopic(keys)]));
}

function byTopic(keys: string[]): PartitionsByTopic {
  const result: PartitionsByTopic = {};
  for (const key of keys) {
    const [topic, partition] = key.split('\u0000');
    (result[topic] ??= []).push(Number(partition));
  }
  for (const ids of Object.values(result)) ids.sort((a, b) => a - b);
  return result;
}
