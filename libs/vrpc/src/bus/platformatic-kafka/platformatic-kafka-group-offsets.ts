import type { Admin, Consumer, ConnectionOptions, ConnectionPool } from '@platformatic/kafka';
import type { GroupOffsetsPort } from '../kafka-common/group-offsets.interface.js';
import type { PlatformaticKafkaModule } from './platformatic-kafka-client.js';
import { VrpcBusError } from '../../errors/vrpc-bus.error.js';

/** The commits of a consumer's group, and a way to release what reading and writing them opened. */
export interface PlatformaticGroupOffsets extends GroupOffsetsPort {
  close(): Promise<void>;
}

/**
 * The commits of `consumer`'s group through `@platformatic/kafka`: the admin client reads them
 * (with their metadata), the consumer knows the earliest offsets. Its `commit()` always sends
 * empty metadata, so commits with metadata go as the client's own OffsetCommit request to the
 * group coordinator, in the member's name and generation, on a connection of their own.
 */
export function platformaticGroupOffsets(
  kafka: PlatformaticKafkaModule,
  admin: Admin,
  consumer: Consumer<string, Buffer | undefined, string, string>,
  connection: { clientId: string; options: ConnectionOptions },
): PlatformaticGroupOffsets {
  let pool: ConnectionPool | undefined;
  return {
    async fetchCommitted(partitions) {
      const topics = Object.entries(partitions).map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
      const [group] = await admin.listConsumerGroupOffsets({ groups: [{ groupId: consumer.groupId, topics }] });
      return (group?.topics ?? []).flatMap(({ name, partitions: commits }) =>
        commits.map((commit) => ({
          topic: name,
          partition: commit.partitionIndex,
          offset: commit.committedOffset.toString(),
          metadata: commit.metadata ?? null,
        })),
      );
    },
    async earliest(topic) {
      const offsets = await consumer.listOffsets({ topics: [topic], timestamp: -2n });
      return new Map((offsets.get(topic) ?? []).map((offset, partition) => [partition, offset.toString()]));
    },
    async watermarks(topic) {
      const [lows, highs] = await Promise.all([-2n, -1n].map((timestamp) => consumer.listOffsets({ topics: [topic], timestamp })));
      const high = highs.get(topic) ?? [];
      return new Map(
        (lows.get(topic) ?? []).map((low, partition) => [partition, { low: low.toString(), high: String(high[partition] ?? low) }]),
      );
    },
    async commitWithMetadata(commits) {
      const coordinator = await consumer.findGroupCoordinator();
      const broker = (await consumer.metadata({ topics: [] })).brokers.get(coordinator);
      if (!broker) throw new VrpcBusError('platformatic-kafka', `group coordinator ${coordinator} is not among the brokers`);
      pool ??= new kafka.ConnectionPool(connection.clientId, connection.options);
      const topics = new Map<
        string,
        {
          name: string;
          partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string }[];
        }
      >();
      for (const { topic, partition, offset, metadata } of commits) {
        const entry = topics.get(topic) ?? { name: topic, partitions: [] };
        entry.partitions.push({
          partitionIndex: partition,
          committedOffset: BigInt(offset),
          committedLeaderEpoch: -1,
          committedMetadata: metadata,
        });
        topics.set(topic, entry);
      }
      const { generationId, memberId, groupInstanceId, groupId } = consumer;
      // Commits go in a member's name: before the consumer has joined there is none (1.x would send null and be refused).
      if (memberId === null) throw new VrpcBusError('platformatic-kafka', `not a member of group ${groupId} yet: nothing to commit as`);
      await kafka.offsetCommitV8.api.async(await pool.get(broker), groupId, generationId, memberId, groupInstanceId, [...topics.values()]);
    },
    async close() {
      await pool?.close();
    },
  };
}
