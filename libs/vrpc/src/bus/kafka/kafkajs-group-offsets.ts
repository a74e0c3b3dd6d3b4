import type { Admin, Consumer } from 'kafkajs';
import type { GroupOffsetsPort } from '../kafka-common/group-offsets.interface.js';

/** The commits of `group` through kafkajs: the admin client reads them, the member's consumer writes them. */
export function kafkajsGroupOffsets(admin: Admin, consumer: Consumer, group: string): GroupOffsetsPort {
  return {
    async fetchCommitted(partitions) {
      const committed = await admin.fetchOffsets({ groupId: group, topics: Object.keys(partitions) });
      return committed.flatMap(({ topic, partitions: commits }) =>
        commits.map(({ partition, offset, metadata }) => ({ topic, partition, offset, metadata: metadata ?? null })),
      );
    },
    async earliest(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((entry) => [entry.partition, entry.low]));
    },
    async watermarks(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map(({ partition, low, high }) => [partition, { low, high }]));
    },
    commitWithMetadata: (commits) => consumer.commitOffsets(commits),
  };
}
