import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const INBOX_ASSIGNER_NAME = 'VrpcInboxAssigner';

/**
 * Gives every member of an inbox group exactly one partition of the reply topic: the one its
 * instance id hashes to. Each instance has its own group, so it reads only that partition
 * and no rebalance elsewhere can take it away.
 */
export function inboxAssigner(topic: string, partition: number): PartitionAssigner {
  return () => ({
    name: INBOX_ASSIGNER_NAME,
    version: 1,
    assign: ({ members }) =>
      Promise.resolve(
        members.map(({ memberId }) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: { [topic]: [partition] },
            userData: Buffer.alloc(0),
          }),
        })),
      ),
    protocol: ({ topics }) => ({
      name: INBOX_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    }),
  });
}
