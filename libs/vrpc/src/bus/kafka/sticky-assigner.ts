import type { PartitionAssigner } from 'kafkajs';
import type { KafkajsModule } from './kafkajs-client.js';
import { stickyPlan, type PartitionsByTopic } from './sticky-plan.js';

export const STICKY_ASSIGNER_NAME = 'VrpcStickyAssigner';
const VERSION = 1;

/**
 * A kafkajs partition assigner that keeps partitions where they were across rebalances (see
 * `stickyPlan`). Each member reports what it holds (`held()`) in its join metadata; the group
 * leader plans from those reports.
 *
 * @param protocol kafkajs' `AssignerProtocol` (kafkajs is loaded on connect)
 */
export function stickyAssigner(protocol: KafkajsModule['AssignerProtocol'], held: () => PartitionsByTopic): PartitionAssigner {
  return ({ cluster }) => ({
    name: STICKY_ASSIGNER_NAME,
    version: VERSION,
    assign: ({ members, topics }) => {
      const partitions = Object.fromEntries(
        topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId)]),
      );
      const previous = new Map(members.map(({ memberId, memberMetadata }) => [memberId, reportedHoldings(protocol, memberMetadata)]));
      const plan = stickyPlan(
        members.map(({ memberId }) => memberId),
        partitions,
        previous,
      );
      return Promise.resolve(
        [...plan].map(([memberId, assignment]) => ({
          memberId,
          memberAssignment: protocol.MemberAssignment.encode({ version: VERSION, assignment, userData: Buffer.alloc(0) }),
        })),
      );
    },
    protocol: ({ topics }) => ({
      name: STICKY_ASSIGNER_NAME,
      metadata: protocol.MemberMetadata.encode({ version: VERSION, topics, userData: Buffer.from(JSON.stringify(held())) }),
    }),
  });
}

/** What a member says it holds; nothing when its report is missing or unreadable. */
function reportedHoldings(protocol: KafkajsModule['AssignerProtocol'], metadata: Buffer): PartitionsByTopic {
  try {
    const userData = protocol.MemberMetadata.decode(metadata)?.userData;
    const parsed: unknown = userData?.length ? JSON.parse(userData.toString()) : {};
    return isPartitionsByTopic(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function isPartitionsByTopic(value: unknown): value is PartitionsByTopic {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((ids) => Array.isArray(ids) && ids.every((id) => Number.isInteger(id)))
  );
}
