import type { PartitionAssigner } from 'kafkajs';
import type { KafkajsModule } from './kafkajs-client.js';

export const INBOX_ASSIGNER_NAME = 'VrpcInboxAssigner';

/**
 * Gives every member of an inbox group exactly one partition of the reply topic: the one its
 * instance id hashes to. Each instance has its own group, so it reads only that partition
 * and no rebalance elsewhere can take it away.
 *
 * @param protocol kafkajs' `AssignerProtocol` (kafkajs is loaded on connect)
 * @param partition `all` for a whole-topic inbox: every partition the metadata knows at each
 *   join (kafkajs rejoins when partitions are added, so it follows them)
 */
export function inboxAssigner(protocol: KafkajsModule['AssignerProtocol'], topic: string, partition: number | 'all'): PartitionAssigner {
  return ({ cluster }) => ({
    name: INBOX_ASSIGNER_NAME,
    version: 1,
    assign: ({ members }) =>
      Promise.resolve(
        members.map(({ memberId }) => ({
          memberId,
          memberAssignment: protocol.MemberAssignment.encode({
            version: 1,
            assignment: {
              [topic]: partition === 'all' ? cluster.findTopicPartitionMetadata(topic).map((entry) => entry.partitionId) : [partition],
            },
            userData: Buffer.alloc(0),
          }),
        })),
      ),
    protocol: ({ topics }) => ({
      name: INBOX_ASSIGNER_NAME,
      metadata: protocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    }),
  });
}
